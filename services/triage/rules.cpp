#include "rules.h"

#include <algorithm>
#include "cq/msgpack_writer.h"
#include <cmath>
#include <set>
#include <toml++/toml.h>

namespace cq::triage {

const std::vector<std::string>& predicates() {
  static const std::vector<std::string> p = {
      "accused_identified", "accused_unidentified", "specific_time", "has_place", "has_amount",
      "has_witness", "has_evidence", "real_name", "hedging", "no_checkable_facts",
      "abusive_without_facts", "known_false_accuser", "notice_period", "known_dispute",
      "mass_copies", "repeats_concluded_untrue", "outside_jurisdiction", "repeat_of_earlier"};
  return p;
}

Result<RuleSet> RuleSet::from_config(const Config& cfg) {
  RuleSet rs;
  Problems p;
  const toml::table* t = cfg.raw ? (*cfg.raw)["triage"].as_table() : nullptr;
  if (!t) return Error::invalid({{"triage", "missing: the [triage] section with thresholds and rules"}});
  if (auto th = (*t)["thresholds"].as_table()) {
    auto num = [&](const char* k, double& out) {
      if (auto n = (*th)[k].value<double>()) out = *n;
      else if ((*th).contains(k)) p.add(std::string("triage.thresholds.") + k, "expected a number");
    };
    num("verifiable", rs.threshold_verifiable);
    num("suspected_malicious", rs.threshold_malicious);
    num("not_ours", rs.threshold_not_ours);
    num("repeat", rs.threshold_repeat);
  }
  auto strings = [&](const char* k, std::vector<std::string>& out, const std::vector<Label>& allowed) {
    if (auto arr = (*t)[k].as_array())
      for (std::size_t i = 0; i < arr->size(); ++i) {
        auto v = arr->get(i)->value<std::string>();
        if (!v || !Config::find(allowed, *v))
          p.add("triage." + std::string(k) + "[" + std::to_string(i) + "]", "not a configured code");
        else
          out.push_back(*v);
      }
  };
  strings("forward_levels", rs.forward_levels, cfg.levels);
  strings("forward_regions", rs.forward_regions, cfg.regions);
  auto arr = (*t)["rules"].as_array();
  if (!arr) p.add("triage.rules", "missing: a list of rules");
  std::set<std::string> ids;
  for (std::size_t i = 0; arr && i < arr->size(); ++i) {
    std::string at = "triage.rules[" + std::to_string(i) + "]";
    auto r = arr->get(i)->as_table();
    if (!r) {
      p.add(at, "expected a table");
      continue;
    }
    Rule rule;
    rule.id = (*r)["id"].value_or(std::string());
    rule.predicate = (*r)["predicate"].value_or(std::string());
    rule.klass = (*r)["class"].value_or(std::string());
    rule.reason_zh = (*r)["reason_zh"].value_or(std::string());
    rule.reason_en = (*r)["reason_en"].value_or(std::string());
    auto w = (*r)["weight"].value<double>();
    rule.param = (*r)["param"].value_or(0.0);
    if (rule.id.empty()) p.add(at + ".id", "missing");
    else if (!ids.insert(rule.id).second) p.add(at + ".id", "duplicate rule id '" + rule.id + "'");
    if (std::find(predicates().begin(), predicates().end(), rule.predicate) == predicates().end())
      p.add(at + ".predicate", "unknown predicate '" + rule.predicate + "'");
    if (std::find(classes().begin(), classes().end(), rule.klass) == classes().end())
      p.add(at + ".class", "unknown class '" + rule.klass + "' (verifiable, vague, suspected_malicious, not_ours, repeat)");
    if (!w || !std::isfinite(*w) || *w < 0) p.add(at + ".weight", "expected a number >= 0");
    else rule.weight = *w;
    if (rule.reason_zh.empty() || rule.reason_en.empty()) p.add(at + ".reason_zh", "both reason_zh and reason_en are needed");
    rs.rules.push_back(std::move(rule));
  }
  if (!p.empty()) return p.error();
  return rs;
}

Facts facts_from_report(const Doc& ev) {
  Facts f;
  if (auto it = ev.find("accused"); it != ev.end() && it->is_array()) f.accused = *it;
  if (auto it = ev.find("specifics"); it != ev.end() && it->is_object()) f.specifics = *it;
  f.real_name = ev.value("real_name", false);
  f.text = extract(ev.value("summary", std::string()) + "\n" + ev.value("details", std::string()));
  return f;
}

namespace {

bool checkable(const Facts& f) {
  const Doc& sp = f.specifics;
  bool time = f.text.specific_time() || sp.contains("when");
  bool place = f.text.places > 0 || sp.contains("where");
  bool amount = !f.text.amounts_yuan.empty() || sp.contains("amount_yuan");
  return time || place || amount;
}

bool holds(const Rule& r, const Facts& f, const RuleSet& rs) {
  const Doc& sp = f.specifics;
  const std::string& p = r.predicate;
  auto identified = [&] {
    for (const auto& a : f.accused) {
      std::string name = a.value("name", std::string());
      bool vague_name = name.find("某领导") != std::string::npos || name.size() < 3;
      if (!vague_name && (!a.value("unit", std::string()).empty() || !a.value("post", std::string()).empty())) return true;
    }
    return false;
  };
  if (p == "accused_identified") return identified();
  if (p == "accused_unidentified") return !identified();
  if (p == "specific_time") return f.text.specific_time() || sp.contains("when");
  if (p == "has_place") return f.text.places > 0 || sp.contains("where");
  if (p == "has_amount") {
    double best = sp.value("amount_yuan", 0.0);
    for (double a : f.text.amounts_yuan) best = std::max(best, a);
    return best > 0 && best >= r.param;
  }
  if (p == "has_witness") return f.text.witnesses > 0 || (sp.contains("witnesses") && !sp["witnesses"].empty());
  if (p == "has_evidence") return f.text.evidence > 0 || (sp.contains("evidence") && !sp["evidence"].empty());
  if (p == "real_name") return f.real_name;
  if (p == "hedging") return f.text.hedges >= std::max(1.0, r.param);
  if (p == "no_checkable_facts") return !checkable(f);
  if (p == "abusive_without_facts") return f.text.abuse >= std::max(1.0, r.param) && !checkable(f);
  if (p == "known_false_accuser") return f.known_false_accuser;
  if (p == "notice_period") return f.notice_period;
  if (p == "known_dispute") return f.known_dispute;
  if (p == "mass_copies") return f.same_text_copies >= std::max(2.0, r.param);
  if (p == "repeats_concluded_untrue") return f.repeats_concluded_untrue;
  if (p == "repeat_of_earlier") return f.merged;
  if (p == "outside_jurisdiction") {
    for (const auto& a : f.accused) {
      auto in = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
      if (in(rs.forward_levels, a.value("level", std::string())) || in(rs.forward_regions, a.value("region", std::string())))
        return true;
    }
    return false;
  }
  return false;
}

}  // namespace

Suggestion evaluate(const RuleSet& rs, const Facts& f) {
  Suggestion s;
  std::map<std::string, double> score;
  for (const auto& r : rs.rules)
    if (holds(r, f, rs)) {
      s.fired.push_back({r.id, r.klass, r.reason_zh, r.reason_en, r.weight});
      score[r.klass] += r.weight;
    }
  if (score["repeat"] >= rs.threshold_repeat) s.klass = "repeat";
  else if (score["not_ours"] >= rs.threshold_not_ours) s.klass = "not_ours";
  else if (score["suspected_malicious"] >= rs.threshold_malicious) s.klass = "suspected_malicious";
  else if (score["verifiable"] >= rs.threshold_verifiable) s.klass = "verifiable";
  else s.klass = "vague";
  s.score = score[s.klass];
  return s;
}

std::string Suggestion::encode_fired() const {
  MsgWriter w;
  w.array(fired.size());
  for (const auto& r : fired)
    w.map(5).str("rule").str(r.rule).str("class").str(r.klass).str("weight").value(r.weight)
        .str("reason_zh").str(r.reason_zh).str("reason_en").str(r.reason_en);
  return w.bytes();
}

Doc Suggestion::to_doc() const {
  Doc rules = Doc::array();
  for (const auto& r : fired)
    rules.push_back({{"rule", r.rule}, {"class", r.klass}, {"weight", r.weight}, {"reason_zh", r.reason_zh}, {"reason_en", r.reason_en}});
  return Doc{{"class", klass}, {"score", score}, {"fired", rules}};
}

}  // namespace cq::triage
