// Triage's reading of Chinese text, its configurable rules, and its quality
// on the labelled set in tests/data/triage_labelled.jsonl.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "../support/labelled.h"
#include "cq/config.h"
#include "extract.h"
#include "rules.h"

using cq::Doc;
using namespace cq::triage;

namespace {
const cq::Config& cfg() {
  static cq::Config c = *cq::load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  return c;
}
std::string shipped_text() {
  std::ifstream in(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
using cq::test::as_event;
Facts facts_of(const Doc& item) {
  Facts f = facts_from_report(as_event(item["report"]));
  const Doc& c = item["context"];
  f.known_false_accuser = c["known_false_accuser"];
  f.notice_period = c["notice_period"];
  f.known_dispute = c["known_dispute"];
  f.same_text_copies = c["same_text_copies"];
  f.repeats_concluded_untrue = c["repeats_concluded_untrue"];
  f.merged = c["merged"];
  return f;
}
std::vector<Doc> labelled() { return cq::test::labelled_reports(); }
}  // namespace

TEST_CASE("triage text: amounts in Arabic and Chinese numerals, with 万 and 块") {
  auto amounts = [](const char* s) { return extract(s).amounts_yuan; };
  CHECK(amounts("收受现金3万元") == std::vector<double>{30000});
  CHECK(amounts("索要好处费五万元") == std::vector<double>{50000});
  CHECK(amounts("送了五千块和两千元购物卡") == std::vector<double>{5000, 2000});
  CHECK(amounts("花费20000元") == std::vector<double>{20000});
  CHECK(amounts("约1.5万元") == std::vector<double>{15000});
  CHECK(amounts("截留十二万元补偿款") == std::vector<double>{120000});
  CHECK(amounts("没有提到钱").empty());
  CHECK(parse_number(to_u32("两千三百")) == 2300);
  CHECK(parse_number(to_u32("一万五")) == 15000);  // colloquial: the lone digit is the next place down
  CHECK(parse_number(to_u32("两千五")) == 2500);
  CHECK(parse_number(to_u32("一万零五")) == 10005);
  CHECK(parse_number(to_u32("三百零二")) == 302);
  CHECK(parse_number(to_u32("十")) == 10);
  CHECK(parse_number(to_u32("３")) == 3);
  CHECK(parse_number(to_u32("abc")) == -1);
}

TEST_CASE("triage text: times, places, witnesses, evidence, abuse and hedging") {
  auto f = extract("2026年3月15日上午，王某在镇政府办公室收受现金，知情人为会计，有转账记录为证。");
  CHECK(f.year);
  CHECK(f.month);
  CHECK(f.day);
  CHECK(f.clock);
  CHECK(f.specific_time());
  CHECK(f.places >= 2);  // 镇, 办公室
  CHECK(f.witnesses == 1);
  CHECK(f.evidence == 1);
  CHECK(f.abuse == 0);
  auto g = extract("听说他是个大贪官，坏透了，大家都知道！！！");
  CHECK_FALSE(g.specific_time());
  CHECK(g.hedges == 2);
  CHECK(g.abuse == 2);
  CHECK(g.exclamations == 3);
  CHECK(extract("今年春节前").specific_time());
  CHECK_FALSE(extract("去年").specific_time());
}

TEST_CASE("triage rules: the shipped rules load; mistakes are named by key") {
  auto rs = RuleSet::from_config(cfg());
  REQUIRE_MESSAGE(rs.ok(), (rs.ok() ? "" : rs.error().message));
  CHECK(rs->rules.size() >= 15);
  CHECK(rs->threshold_verifiable == 2.75);
  std::string t = shipped_text();
  auto broken = [&](const std::string& from, const std::string& to) {
    std::string x = t;
    x.replace(x.find(from), from.size(), to);
    auto c = cq::parse_config(x, std::string(CQ_SOURCE_DIR) + "/config", "t.toml");
    REQUIRE(c.ok());
    auto r = RuleSet::from_config(*c);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(broken("predicate = \"real_name\"", "predicate = \"looks_shifty\"").find("triage.rules[6].predicate: unknown predicate 'looks_shifty'") == 0);
  CHECK(broken("class = \"not_ours\"", "class = \"elsewhere\"").find(".class: unknown class 'elsewhere'") != std::string::npos);
  CHECK(broken("weight = 0.5", "weight = \"heavy\"").find("triage.rules[6].weight") == 0);
  CHECK(broken("forward_levels  = [\"bureau\"]", "forward_levels  = [\"emperor\"]").find("triage.forward_levels[0]") == 0);
}

TEST_CASE("triage rules: every suggestion is explained: its fired rules add up to its score") {
  auto rs = *RuleSet::from_config(cfg());
  for (const auto& item : labelled()) {
    auto s = evaluate(rs, facts_of(item));
    double sum = 0;
    for (const auto& f : s.fired) {
      CHECK(!f.reason_zh.empty());
      CHECK(!f.reason_en.empty());
      if (f.klass == s.klass) sum += f.weight;
    }
    CHECK_MESSAGE(sum == doctest::Approx(s.score), item["id"]);
    Doc d = s.to_doc();
    CHECK(d["class"] == s.klass);
    CHECK(d["fired"].size() == s.fired.size());
  }
}

TEST_CASE("triage rules: a weight changed in configuration changes the suggestion") {
  auto item = labelled().front();  // a verifiable report
  auto rs = *RuleSet::from_config(cfg());
  CHECK(evaluate(rs, facts_of(item)).klass == "verifiable");
  std::string t = shipped_text();
  t.replace(t.find("verifiable          = 2.75"), 26, "verifiable          = 9.0");
  auto strict = *RuleSet::from_config(*cq::parse_config(t, std::string(CQ_SOURCE_DIR) + "/config", "t.toml"));
  CHECK(evaluate(strict, facts_of(item)).klass == "vague");
}

TEST_CASE("triage quality on the labelled set: recall and precision per class, and good faith protected") {
  auto rs = *RuleSet::from_config(cfg());
  auto items = labelled();
  REQUIRE(items.size() >= 150);
  std::map<std::string, int> tp, fp, fn;
  int good_faith = 0, good_faith_flagged = 0;
  for (const auto& item : items) {
    std::string want = item["label"], got = evaluate(rs, facts_of(item)).klass;
    if (want == got) ++tp[want];
    else {
      ++fp[got];
      ++fn[want];
      MESSAGE(item["id"].get<std::string>() << " labelled " << want << ", suggested " << got << " (" << item["note"].get<std::string>() << ")");
    }
    if (item["good_faith"].get<bool>()) {
      ++good_faith;
      if (got == "suspected_malicious") ++good_faith_flagged;
    }
  }
  std::ostringstream table;
  table << "\nclass                 precision  recall\n";
  std::map<std::string, double> recall;
  for (const auto& k : classes()) {
    double p = tp[k] + fp[k] ? double(tp[k]) / (tp[k] + fp[k]) : 1.0;
    recall[k] = tp[k] + fn[k] ? double(tp[k]) / (tp[k] + fn[k]) : 1.0;
    char line[80];
    std::snprintf(line, sizeof line, "%-20s %10.2f %7.2f\n", k.c_str(), p, recall[k]);
    table << line;
  }
  double flagged = good_faith ? double(good_faith_flagged) / good_faith : 0;
  table << "good-faith reports suggested as suspected malicious: " << good_faith_flagged << " of " << good_faith << "\n";
  MESSAGE(table.str());
  CHECK(recall["verifiable"] >= 0.9);
  CHECK(recall["suspected_malicious"] >= 0.85);
  CHECK(flagged <= 0.05);
}
