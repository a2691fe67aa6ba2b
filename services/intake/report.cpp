#include "report.h"


#include "cq/crypto.h"
#include "cq/fields.h"

namespace cq::intake {

Doc Reporter::to_doc() const {
  Doc d = Doc::object();
  if (!name.empty()) d["name"] = name;
  if (!id_number.empty()) d["id_number"] = id_number;
  if (!phone.empty()) d["phone"] = phone;
  if (!address.empty()) d["address"] = address;
  if (!unit.empty()) d["unit"] = unit;
  return d;
}

Doc Accused::to_doc() const {
  return Doc{{"name", name}, {"unit", unit}, {"post", post}, {"level", level}, {"region", region}};
}

namespace {

void parse_reporter(Fields& f, const Doc* d, Reporter& out) {
  if (!d) return;
  Fields r(*d, f.at("reporter"), f.problems());
  auto anon = r.boolean("anonymous", true);
  out.anonymous = anon.value_or(true);
  out.name = r.text("name", false, 50).value_or("");
  out.unit = r.text("unit", false, 100).value_or("");
  out.address = r.text("address", false, 200).value_or("");
  if (auto id = r.text("id_number", false, 30)) {
    out.id_number = crypto::normalise_id_number(*id);
    if (!crypto::valid_id_number(out.id_number))
      r.problems().add(r.at("id_number"), "not a valid 18-character resident ID number (check digit)");
  }
  if (auto ph = r.text("phone", false, 30)) {
    out.phone = crypto::normalise_phone(*ph);
    std::size_t start = !out.phone.empty() && out.phone[0] == '+' ? 1 : 0, n = out.phone.size() - start;
    bool ok = n >= 5 && n <= 15 && out.phone.find_first_not_of("0123456789", start) == std::string::npos;
    if (!ok) r.problems().add(r.at("phone"), "expected 5 to 15 digits");
  }
  if (anon && !*anon) {
    // The rules: a real-name report gives a real name (or unit) and a working contact.
    if (out.name.empty() && out.unit.empty())
      r.problems().add(r.at("name"), "a real-name report needs the reporter's name or unit");
    if (out.phone.empty() && out.address.empty())
      r.problems().add(r.at("phone"), "a real-name report needs a contact: phone or address");
  }
  if (anon && *anon && (!out.name.empty() || !out.id_number.empty()))
    r.problems().add(r.at("anonymous"), "an anonymous report cannot carry a name or ID number (leave only an optional contact)");
}

void parse_specifics(Fields& f, const Doc* d, const Config& cfg, Doc& out) {
  out = Doc::object();
  if (!d) return;
  Fields s(*d, f.at("specifics"), f.problems());
  std::size_t max_items = cfg.intake.max_list_items;
  if (auto v = s.text("when", false, 100)) out["when"] = *v;
  if (auto v = s.text("where", false, 200)) out["where"] = *v;
  if (auto v = s.number("amount_yuan", false, 0, 1e13)) out["amount_yuan"] = *v;
  if (auto arr = s.array("witnesses", false, max_items)) {
    Doc w = Doc::array();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto& x = (*arr)[i];
      std::string p = s.at("witnesses") + "[" + std::to_string(i) + "]";
      if (!x.is_string()) {
        s.problems().add(p, "expected a string");
        continue;
      }
      if (auto why = check_text(x.get<std::string>(), 100, 1)) s.problems().add(p, *why);
      else w.push_back(x);
    }
    out["witnesses"] = w;
  }
  if (auto arr = s.array("evidence", false, max_items)) {
    Doc ev = Doc::array();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields e((*arr)[i], s.at("evidence") + "[" + std::to_string(i) + "]", s.problems());
      if (!e.ok()) continue;
      auto kind = e.text("kind", true, 40);
      auto desc = e.text("description", false, 500);
      if (kind) ev.push_back(Doc{{"kind", *kind}, {"description", desc.value_or("")}});
    }
    out["evidence"] = ev;
  }
}

}  // namespace

Result<ReportInput> parse_report(const Doc& body, const Config& cfg, const std::string& path, Millis now) {
  Problems p;
  Fields f(body, path, p);
  if (!f.ok()) return p.error();
  ReportInput r;
  r.channel = f.label("channel", true, cfg.channels, "channel").value_or("");
  if (auto t = f.time("received_at", true)) {
    if (*t > now + 10 * 60 * 1000) p.add(f.at("received_at"), "is in the future");
    else if (*t < *parse_time("2000-01-01")) p.add(f.at("received_at"), "is before 2000-01-01");
    else r.received_at = *t;
  }
  parse_reporter(f, f.map("reporter", true), r.reporter);
  if (auto arr = f.array("accused", true, cfg.intake.max_accused, 1)) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      Fields a((*arr)[i], f.at("accused") + "[" + std::to_string(i) + "]", p);
      if (!a.ok()) continue;
      Accused x;
      x.name = a.text("name", true, 50).value_or("");
      x.unit = a.text("unit", false, 100).value_or("");
      x.post = a.text("post", false, 50).value_or("");
      x.level = a.label("level", false, cfg.levels, "cadre level").value_or("");
      x.region = a.label("region", true, cfg.regions, "region").value_or("");
      r.accused.push_back(std::move(x));
    }
  }
  r.category = f.label("category", true, cfg.categories, "allegation category").value_or("");
  r.summary = f.text("summary", true, cfg.intake.max_summary_chars).value_or("");
  r.details = f.text("details", false, cfg.intake.max_details_chars, 0).value_or("");
  parse_specifics(f, f.map("specifics", false), cfg, r.specifics);
  if (auto v = f.text("external_id", false, 128)) r.external_id = *v;
  if (auto v = f.text("forwarded_from", false, 100)) r.forwarded_from = *v;
  if (r.channel == "forwarded" && r.forwarded_from.empty() && !f.has("forwarded_from"))
    p.add(f.at("forwarded_from"), "missing: a forwarded report names the body that forwarded it");
  if (!p.empty()) return p.error();
  return r;
}

}  // namespace cq::intake
