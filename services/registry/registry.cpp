#include "registry.h"

#include <spdlog/spdlog.h>

#include <set>
#include <toml++/toml.h>

#include "cq/event_fields.h"
#include "cq/fields.h"

namespace cq::registry {

namespace {
const std::set<std::string> kCaseOfficers = {role::kAccuserOfficer};
// Who sees records, by number, findings and steps; never an identity.
const std::set<std::string> kViewers = {role::kAccuserOfficer, role::kSupervisor, role::kApprover, role::kOfficer,
                                        role::kAdmin};
const std::set<std::string> kNoticeReaders = {role::kAccuserOfficer, role::kSupervisor, role::kAdmin};

// States in worklist order.
const std::vector<std::string> kStates = {"flagged", "under_review", "action_decided", "closed", "cleared"};



std::string year_month_zh(Millis t) {
  Date d = local_date(t);
  return std::to_string(d.year()) + "年" + std::to_string(d.month()) + "月";
}
}  // namespace

Result<std::vector<Action>> actions_from_config(const Config& cfg) {
  std::vector<Action> out;
  const toml::array* arr = nullptr;
  if (cfg.raw)
    if (auto t = (*cfg.raw)["registry"].as_table()) arr = (*t)["actions"].as_array();
  if (!arr || arr->empty())
    return std::vector<Action>{{"criticism", "批评教育", "criticism and education"},
                               {"admonishment", "诫勉谈话", "admonishment talk"},
                               {"discipline", "党纪政务处分", "party or government discipline"},
                               {"police", "移送公安机关", "referral to the police"}};
  Problems p;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    std::string at = "registry.actions[" + std::to_string(i) + "]";
    auto t = arr->get(i)->as_table();
    if (!t) {
      p.add(at, "expected a table {code, zh, en}");
      continue;
    }
    Action a{(*t)["code"].value_or(std::string()), (*t)["zh"].value_or(std::string()),
             (*t)["en"].value_or(std::string())};
    if (a.code.empty()) p.add(at + ".code", "missing");
    if (a.name_zh.empty()) p.add(at + ".zh", "missing");
    if (a.name_en.empty()) a.name_en = a.code;
    for (const auto& b : out)
      if (b.code == a.code) p.add(at + ".code", "duplicate action code '" + a.code + "'");
    out.push_back(std::move(a));
  }
  if (!p.empty()) return p.error();
  return out;
}

Registry::Registry(Service& svc) : svc_(svc) {
  auto a = actions_from_config(svc.config());
  if (!a) throw std::runtime_error("registry actions: " + a.error().message);
  actions_ = std::move(*a);
  svc_.consume("triage", [this](const Event& e) { on_triage_event(e); });
  svc_.on("accuser.list", kViewers, [this](const Request& r) { return list(r); });
  svc_.on("accuser.show", kViewers, [this](const Request& r) { return show(r); });
  svc_.on("accuser.identity", kCaseOfficers, [this](const Request& r) { return identity(r); });
  svc_.on("accuser.review", kCaseOfficers, [this](const Request& r) {
    return step(r, "flagged", "under_review", "review opened");
  });
  svc_.on("accuser.act", kCaseOfficers, [this](const Request& r) { return act(r); });
  svc_.on("accuser.close", kCaseOfficers, [this](const Request& r) {
    return step(r, "action_decided", "closed", "closed");
  });
  svc_.on("accuser.publish", kCaseOfficers, [this](const Request& r) { return publish(r); });
  svc_.on("accuser.notices", kNoticeReaders, [this](const Request& r) { return notices(r); });
  svc_.on("accuser.notice.decide", {role::kSupervisor}, [this](const Request& r) { return decide_notice(r); });
}

Registry::~Registry() = default;

std::string Registry::number_of(int64_t id) {
  auto& st = svc_.store().stmt("SELECT number FROM accusers WHERE id = ?");
  st.bind(1, id);
  std::string n = st.executeStep() ? st.getColumn(0).getString() : "";
  st.reset();
  return n;
}

// The region of the record's latest standing finding (for the counts).
std::string Registry::region_of(int64_t id) {
  auto& st = svc_.store().stmt(
      "SELECT region FROM findings WHERE accuser_id = ? ORDER BY active DESC, concluded_at DESC, id DESC LIMIT 1");
  st.bind(1, id);
  std::string r = st.executeStep() ? st.getColumn(0).getString() : "";
  st.reset();
  return r;
}

std::string Registry::state_of(int64_t id) {
  auto& cur = svc_.store().stmt("SELECT state FROM accusers WHERE id = ?");
  cur.bind(1, id);
  std::string state = cur.executeStep() ? cur.getColumn(0).getString() : "";
  cur.reset();
  return state;
}

// ---- events from triage -------------------------------------------------

void Registry::on_triage_event(const Event& e) {
  if (e.type != "report.concluded" && e.type != "report.conclusion_revised") return;
  int64_t conclusion = ev::integer(e.data, "conclusion_id");
  auto& once = svc_.store().stmt("INSERT OR IGNORE INTO applied(conclusion_id) VALUES(?)");
  once.bind(1, conclusion);
  once.exec();
  if (svc_.store().db().getChanges() == 0) return;  // applied before
  // Only a concluded false accusation puts a person here. An untrue or
  // unproven report, a suspicion from triage, never does.
  if (ev::str(e.data, "kind") == "false_accusation") add_finding(e);
  else if (e.type == "report.conclusion_revised") remove_finding(e);
}

void Registry::add_finding(const Event& e) {
  const Doc& d = e.data;
  std::string case_no = ev::str(d, "case_no");
  std::vector<std::pair<std::string, std::string>> keys;  // (kind, hash)
  if (auto it = d.find("reporter_keys"); it != d.end() && it->is_object())
    for (const auto& [kind, h] : it->items())
      if (h.is_string() && !h.get<std::string>().empty()) keys.emplace_back(kind, h.get<std::string>());
  if (!ev::flag(d, "real_name") || keys.empty()) {
    // No identity to act on: an anonymous report is never a record.
    spdlog::info("false accusation concluded in {} on an anonymous report: no record", case_no);
    return;
  }
  bool created = false;
  int64_t id = record_for(keys, e.at, created);
  auto& st = svc_.store().stmt(
      "INSERT INTO findings(accuser_id, case_no, conclusion_id, region, category, channel, received_at, concluded_at,"
      " concluded_by, summary, fabrication, accused_count, active) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,1)"
      " ON CONFLICT(case_no) DO UPDATE SET accuser_id = excluded.accuser_id, conclusion_id = excluded.conclusion_id,"
      " concluded_at = excluded.concluded_at, concluded_by = excluded.concluded_by, summary = excluded.summary,"
      " fabrication = excluded.fabrication, active = 1, removed_at = NULL, removed_reason = NULL");
  st.bind(1, id);
  st.bind(2, case_no);
  st.bind(3, ev::integer(d, "conclusion_id"));
  st.bind(4, ev::str(d, "region"));
  st.bind(5, ev::str(d, "category"));
  st.bind(6, ev::str(d, "channel"));
  st.bind(7, ev::integer(d, "received_at"));
  st.bind(8, static_cast<int64_t>(e.at));
  st.bind(9, ev::str(d, "concluded_by"));
  st.bind(10, ev::str(d, "summary"));
  st.bind(11, ev::str(d, "fabrication_finding"));
  auto acc = d.find("accused");
  st.bind(12, static_cast<int64_t>(acc != d.end() && acc->is_array() ? acc->size() : 0));
  st.exec();
  std::string by = "triage: " + ev::str(d, "concluded_by");
  std::string what = "finding added: false accusation concluded in " + case_no;
  std::string state = state_of(id);
  if (state == "cleared" || state == "closed")  // a new finding opens the process again
    set_state(id, "flagged", by, what, ev::str(d, "summary"));
  else
    set_state(id, state, by, what, ev::str(d, "summary"));
  emit_keys("accuser.flagged", id);
  // For the counts: a new record (no hash, no identity), by region.
  if (created) svc_.outbox().append("accuser.opened", number_of(id), Doc{{"number", number_of(id)}, {"region", ev::str(d, "region")}});
}

void Registry::remove_finding(const Event& e) {
  const Doc& d = e.data;
  std::string case_no = ev::str(d, "case_no");
  auto& f = svc_.store().stmt("SELECT accuser_id FROM findings WHERE case_no = ? AND active = 1");
  f.bind(1, case_no);
  if (!f.executeStep()) {
    f.reset();
    return;  // this report was never a finding here
  }
  int64_t id = f.getColumn(0).getInt64();
  f.reset();
  std::string reason = ev::str(d, "revision_reason");
  auto& up = svc_.store().stmt("UPDATE findings SET active = 0, removed_at = ?, removed_reason = ? WHERE case_no = ?");
  up.bind(1, static_cast<int64_t>(e.at));
  up.bind(2, reason);
  up.bind(3, case_no);
  up.exec();
  std::string by = "triage: " + ev::str(d, "concluded_by");
  auto& left = svc_.store().stmt("SELECT COUNT(*) FROM findings WHERE accuser_id = ? AND active = 1");
  left.bind(1, id);
  left.executeStep();
  int remaining = left.getColumn(0).getInt();
  left.reset();
  std::string what = "finding removed: " + case_no + " revised on appeal to " + ev::str(d, "kind");
  std::string state = state_of(id);
  if (remaining > 0) {
    set_state(id, state, by, what, reason);
    return;
  }
  set_state(id, "cleared", by, what + "; no finding left, record cleared", reason);
  emit_keys("accuser.cleared", id);
}

// The record of the person these keyed hashes name, created if new. Records
// that turn out to be the same person (one found by ID number, another by
// phone) are merged into the oldest.
int64_t Registry::record_for(const std::vector<std::pair<std::string, std::string>>& keys, Millis at, bool& created) {
  auto& store = svc_.store();
  std::set<int64_t> ids;
  for (const auto& [kind, h] : keys) {
    auto& st = store.stmt("SELECT accuser_id FROM accuser_keys WHERE hash = ?");
    st.bind(1, h);
    if (st.executeStep()) ids.insert(st.getColumn(0).getInt64());
    st.reset();
  }
  int64_t id;
  if (ids.empty()) {
    std::string num = store.next_number("accusers", "WG" + std::to_string(local_date(at).year()) + "-", 4);
    auto& ins = store.stmt("INSERT INTO accusers(number, state, created_at, updated_at) VALUES(?, 'new', ?, ?)");
    ins.bind(1, num);
    ins.bind(2, static_cast<int64_t>(at));
    ins.bind(3, static_cast<int64_t>(at));
    ins.exec();
    id = store.db().getLastInsertRowid();
    created = true;
    set_state(id, "flagged", "registry", "record opened", "a concluded false-accusation finding");
  } else {
    id = *ids.begin();
    for (auto other = std::next(ids.begin()); other != ids.end(); ++other) {
      for (const char* sql : {"UPDATE accuser_keys SET accuser_id = ?1 WHERE accuser_id = ?2",
                              "UPDATE findings SET accuser_id = ?1 WHERE accuser_id = ?2",
                              "UPDATE notices SET accuser_id = ?1 WHERE accuser_id = ?2",
                              "UPDATE accusers SET merged_into = ?1 WHERE id = ?2"}) {
        auto& st = store.stmt(sql);
        st.bind(1, id);
        st.bind(2, *other);
        st.exec();
      }
      set_state(*other, "merged", "registry", "merged: the same person as another record", "identifiers matched");
      set_state(id, state_of(id), "registry", "merged another record of the same person", "identifiers matched");
    }
  }
  for (const auto& [kind, h] : keys) {
    auto& st = store.stmt("INSERT OR IGNORE INTO accuser_keys(hash, kind, accuser_id) VALUES(?, ?, ?)");
    st.bind(1, h);
    st.bind(2, kind);
    st.bind(3, id);
    st.exec();
  }
  return id;
}

void Registry::set_state(int64_t id, const std::string& to, const std::string& by, const std::string& what,
                         const std::string& reason) {
  auto& store = svc_.store();
  std::string from = state_of(id);
  Millis now = now_ms();
  auto& up = store.stmt("UPDATE accusers SET state = ?, updated_at = ? WHERE id = ?");
  up.bind(1, to);
  up.bind(2, static_cast<int64_t>(now));
  up.bind(3, id);
  up.exec();
  auto& h = store.stmt(
      "INSERT INTO history(accuser_id, at, by, from_state, to_state, what, reason) VALUES(?, ?, ?, ?, ?, ?, ?)");
  h.bind(1, id);
  h.bind(2, static_cast<int64_t>(now));
  h.bind(3, by);
  if (from == "new") h.bind(4); else h.bind(4, from);
  h.bind(5, to);
  h.bind(6, what);
  h.bind(7, reason);
  h.exec();
}

// accuser.flagged / accuser.cleared carry only the keyed hashes: triage
// weighs a new report by the same author without learning who it is.
void Registry::emit_keys(const std::string& type, int64_t id) {
  Doc hashes = Doc::array();
  auto& st = svc_.store().stmt("SELECT hash FROM accuser_keys WHERE accuser_id = ? ORDER BY hash");
  st.bind(1, id);
  while (st.executeStep()) hashes.push_back(st.getColumn(0).getString());
  st.reset();
  svc_.outbox().append(type, "", Doc{{"hashes", hashes}});
}

// ---- views --------------------------------------------------------------

std::optional<int64_t> Registry::find(const std::string& number) {
  auto& st = svc_.store().stmt("SELECT id, merged_into FROM accusers WHERE number = ?");
  st.bind(1, number);
  std::optional<int64_t> id;
  if (st.executeStep()) id = st.getColumn(1).isNull() ? st.getColumn(0).getInt64() : st.getColumn(1).getInt64();
  st.reset();
  return id;
}

Doc Registry::record_doc(int64_t id, bool full) {
  auto& store = svc_.store();
  const auto& cfg = svc_.config();
  auto& st = store.stmt("SELECT number, state, action, created_at, updated_at FROM accusers WHERE id = ?");
  st.bind(1, id);
  st.executeStep();
  std::string action = st.getColumn(2).isNull() ? "" : st.getColumn(2).getString();
  Doc d{{"number", st.getColumn(0).getString()},
        {"state", st.getColumn(1).getString()},
        {"created_at", format_local(st.getColumn(3).getInt64())},
        {"updated_at", format_local(st.getColumn(4).getInt64())}};
  st.reset();
  if (!action.empty()) {
    d["action"] = action;
    for (const auto& a : actions_)
      if (a.code == action) d["action_label"] = a.name_zh + " " + a.name_en;
  }
  Doc findings = Doc::array();
  std::set<std::string> regions;
  int active = 0;
  auto& f = store.stmt(
      "SELECT case_no, region, category, channel, received_at, concluded_at, concluded_by, summary, fabrication,"
      " accused_count, active, removed_at, removed_reason FROM findings WHERE accuser_id = ? ORDER BY concluded_at, id");
  f.bind(1, id);
  while (f.executeStep()) {
    bool on = f.getColumn(10).getInt() != 0;
    if (on) {
      ++active;
      regions.insert(Config::name_of(cfg.regions, f.getColumn(1).getString()));
    }
    if (!full) continue;
    Doc x{{"case_no", f.getColumn(0).getString()},
          {"region", f.getColumn(1).getString()},
          {"region_name", Config::name_of(cfg.regions, f.getColumn(1).getString())},
          {"category", f.getColumn(2).getString()},
          {"category_name", Config::name_of(cfg.categories, f.getColumn(2).getString())},
          {"channel", f.getColumn(3).getString()},
          {"received_at", format_local(f.getColumn(4).getInt64())},
          {"concluded_at", format_local(f.getColumn(5).getInt64())},
          {"concluded_by", f.getColumn(6).getString()},
          {"summary", f.getColumn(7).getString()},
          {"fabrication_finding", f.getColumn(8).getString()},
          {"accused", f.getColumn(9).getInt()},
          {"active", on}};
    if (!on) {
      x["removed_at"] = format_local(f.getColumn(11).getInt64());
      x["removed_reason"] = f.getColumn(12).getString();
    }
    findings.push_back(std::move(x));
  }
  f.reset();
  d["findings"] = active;
  // Two or more standing findings: a repeat offender, said in every view.
  d["repeat"] = active >= 2;
  d["regions"] = Doc(std::vector<std::string>(regions.begin(), regions.end()));
  if (!full) return d;
  d["finding_list"] = std::move(findings);
  Doc history = Doc::array();
  auto& h = store.stmt("SELECT at, by, from_state, to_state, what, reason FROM history WHERE accuser_id = ? ORDER BY id");
  h.bind(1, id);
  while (h.executeStep())
    history.push_back(Doc{{"at", format_local(h.getColumn(0).getInt64())},
                          {"by", h.getColumn(1).getString()},
                          {"from", h.getColumn(2).isNull() ? "" : h.getColumn(2).getString()},
                          {"to", h.getColumn(3).getString()},
                          {"what", h.getColumn(4).getString()},
                          {"reason", h.getColumn(5).getString()}});
  h.reset();
  d["history"] = std::move(history);
  Doc notices = Doc::array();
  auto& n = store.stmt("SELECT number, state FROM notices WHERE accuser_id = ? ORDER BY id");
  n.bind(1, id);
  while (n.executeStep()) notices.push_back(Doc{{"number", n.getColumn(0).getString()}, {"state", n.getColumn(1).getString()}});
  n.reset();
  d["notices"] = std::move(notices);
  return d;
}

Result<Doc> Registry::list(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto state = f.text("state", false, 20);
  auto repeat_only = f.boolean("repeat", false);
  if (state && std::find(kStates.begin(), kStates.end(), *state) == kStates.end())
    p.add("body.state", "unknown state '" + *state + "' (flagged, under_review, action_decided, closed, cleared)");
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt(
      "SELECT id FROM accusers WHERE state <> 'merged' AND (?1 IS NULL OR state = ?1)"
      " ORDER BY CASE state WHEN 'flagged' THEN 0 WHEN 'under_review' THEN 1 WHEN 'action_decided' THEN 2"
      " WHEN 'closed' THEN 3 ELSE 4 END, updated_at DESC, id");
  if (state) st.bind(1, *state); else st.bind(1);
  std::vector<int64_t> ids;
  while (st.executeStep()) ids.push_back(st.getColumn(0).getInt64());
  st.reset();
  Doc items = Doc::array();
  for (int64_t id : ids) {
    Doc d = record_doc(id, false);
    if (repeat_only.value_or(false) && !d["repeat"].get<bool>()) continue;
    items.push_back(std::move(d));
  }
  return Doc{{"items", std::move(items)}};
}

Result<Registry::Named> Registry::named(const Doc& body) {
  Problems p;
  Fields f(body, "body", p);
  auto number = f.text("number", true, 30);
  if (!p.empty()) return p.error();
  auto id = find(*number);
  if (!id) return Error::make(code::kNotFound, "no accuser record " + *number);
  return Named{*id, *number};
}

Result<Doc> Registry::show(const Request& r) {
  auto rec = named(r.body);
  if (!rec) return rec.error();
  return record_doc(rec->id, true);
}

// The identity stays sealed in intake. An accuser case officer asks with a
// purpose; the registry reads it through intake (which audits its side) and
// audits who read which record, when and why.
Result<Doc> Registry::identity(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto purpose = f.text("purpose", true, 200, 2);
  if (!p.empty()) return p.error();
  auto rec = named(r.body);
  if (!rec) return rec.error();
  const std::string& number = rec->number;
  int64_t id = rec->id;
  std::vector<std::string> cases;
  auto& st = svc_.store().stmt("SELECT case_no FROM findings WHERE accuser_id = ? AND active = 1 ORDER BY concluded_at DESC");
  st.bind(1, id);
  while (st.executeStep()) cases.push_back(st.getColumn(0).getString());
  st.reset();
  if (cases.empty())
    return Error::make(code::kConflict, number + " has no standing finding (cleared): its identity is not shown");
  if (!intake_) intake_ = std::make_unique<Client>(svc_.context(), svc_.client_options("intake"));
  Doc identity = nullptr;
  std::string from_case;
  for (const auto& c : cases) {
    auto rep = intake_->call("report.identity", Doc{{"case_no", c}, {"purpose", "accuser record " + number + ": " + *purpose},
                                                    {"on_behalf_of", r.who.name}});
    if (!rep) {
      intake_.reset();  // a fresh socket next time
      return Error::make(code::kUnavailable, "intake did not answer (" + rep.error().message + "): identity not shown");
    }
    if (!rep->ok) return Error::make(rep->code, "intake refused the identity read: " + rep->message);
    if (!rep->body["identity"].is_null()) {
      identity = rep->body["identity"];
      from_case = c;
      break;
    }
  }
  svc_.audit().record(r.who.name, r.who.role, "accuser.identity.read", number, *purpose);
  Doc d = record_doc(id, false);
  d["identity"] = identity;
  d["from_case"] = from_case;
  d["audited"] = true;
  return d;
}

// ---- due process --------------------------------------------------------

Result<Doc> Registry::step(const Request& r, const std::string& from, const std::string& to, const std::string& what) {
  Problems p;
  Fields f(r.body, "body", p);
  auto reason = f.text("reason", true, 1000, 2);
  auto action = to == "action_decided" ? f.text("action", true, 40) : std::nullopt;
  if (action && std::none_of(actions_.begin(), actions_.end(), [&](const Action& a) { return a.code == *action; })) {
    std::string known;
    for (const auto& a : actions_) known += (known.empty() ? "" : ", ") + a.code + " " + a.name_zh;
    p.add("body.action", "unknown action '" + *action + "' (" + known + ")");
  }
  if (!p.empty()) return p.error();
  auto rec = named(r.body);
  if (!rec) return rec.error();
  const std::string& number = rec->number;
  int64_t id = rec->id;
  std::string state = state_of(id);
  if (state == "cleared")
    return Error::make(code::kConflict, number + " is cleared: no finding stands, so no action can be taken");
  if (state != from) {
    const char* next = state == "flagged" ? "review it first (cq accusers review)"
                       : state == "under_review" ? "decide the action first (cq accusers act)"
                       : state == "action_decided" ? "close it (cq accusers close)"
                                                   : "it is closed";
    return Error::make(code::kConflict, number + " is " + state + ", not " + from + ": " + next);
  }
  if (action) {
    auto& up = svc_.store().stmt("UPDATE accusers SET action = ? WHERE id = ?");
    up.bind(1, *action);
    up.bind(2, id);
    up.exec();
  }
  set_state(id, to, r.who.name, action ? what + ": " + *action : what, *reason);
  svc_.audit().record(r.who.name, r.who.role, "accuser." + to, number, *reason);
  Doc ev{{"number", number}, {"state", to}, {"region", region_of(id)}};
  if (action) ev["action"] = *action;
  svc_.outbox().append("accuser." + to, number, ev);
  return record_doc(id, false);
}

Result<Doc> Registry::act(const Request& r) { return step(r, "under_review", "action_decided", "action decided"); }

// ---- typical cases ------------------------------------------------------

// The notice is made from structured fields only (region, month, category,
// action, how many findings): no free text an officer wrote, so no name, ID
// number or phone number of anyone can slip in.
Result<Doc> Registry::publish(const Request& r) {
  auto rec = named(r.body);
  if (!rec) return rec.error();
  const std::string& number = rec->number;
  int64_t id = rec->id;
  auto& store = svc_.store();
  const auto& cfg = svc_.config();
  auto& st = store.stmt("SELECT state, action FROM accusers WHERE id = ?");
  st.bind(1, id);
  st.executeStep();
  std::string state = st.getColumn(0).getString();
  std::string action = st.getColumn(1).isNull() ? "" : st.getColumn(1).getString();
  st.reset();
  if (state != "action_decided" && state != "closed")
    return Error::make(code::kConflict, number + " is " + state + ": a typical case is published once an action is decided");
  auto& pending = store.stmt("SELECT number FROM notices WHERE accuser_id = ? AND state IN ('proposed', 'approved')");
  pending.bind(1, id);
  if (pending.executeStep()) {
    std::string n = pending.getColumn(0).getString();
    pending.reset();
    return Error::make(code::kConflict, number + " already has notice " + n + " (proposed or approved)");
  }
  pending.reset();
  std::set<std::string> regions, categories, region_codes;
  int findings = 0;
  Millis latest = 0;
  auto& fs = store.stmt("SELECT region, category, concluded_at FROM findings WHERE accuser_id = ? AND active = 1");
  fs.bind(1, id);
  while (fs.executeStep()) {
    regions.insert(Config::name_of(cfg.regions, fs.getColumn(0).getString()));
    region_codes.insert(fs.getColumn(0).getString());
    categories.insert(Config::name_of(cfg.categories, fs.getColumn(1).getString()));
    latest = std::max<Millis>(latest, fs.getColumn(2).getInt64());
    ++findings;
  }
  fs.reset();
  if (findings == 0) return Error::make(code::kConflict, number + " has no standing finding");
  const Action* a = nullptr;
  for (const auto& x : actions_)
    if (x.code == action) a = &x;
  auto join = [](const std::set<std::string>& s, const char* sep) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : sep) + x;
    return out;
  };
  std::string region = join(regions, "、"), category = join(categories, "、");
  std::string zh = region + "一名举报人捏造公职人员" + category + "方面的问题，于" + year_month_zh(latest) +
                   "前向纪检监察机关实名举报。经核查，所反映问题系故意捏造，构成诬告陷害" +
                   (findings >= 2 ? "，且系多次诬告（" + std::to_string(findings) + "次）" : std::string()) +
                   "。依据有关规定，对其予以" + (a ? a->name_zh : action) + "。";
  std::string en = "In " + region + ", a reporter fabricated allegations (" + category +
                   ") against public officials and reported them under their real name; verification found the facts "
                   "fabricated on purpose" + (findings >= 2 ? " (a repeat offender: " + std::to_string(findings) + " findings)" : "") +
                   ". Action taken: " + (a ? a->name_en : action) + ".";
  std::string num = store.next_number("notices", "TB" + std::to_string(local_date(now_ms()).year()) + "-", 3);
  Doc body{{"notice", num},
           {"regions", Doc(std::vector<std::string>(regions.begin(), regions.end()))},
           {"region_codes", Doc(std::vector<std::string>(region_codes.begin(), region_codes.end()))},
           {"month", year_month_zh(latest)},
           {"categories", Doc(std::vector<std::string>(categories.begin(), categories.end()))},
           {"action", action},
           {"action_label", a ? a->name_zh : action},
           {"findings", findings},
           {"repeat", findings >= 2},
           {"text_zh", zh},
           {"text_en", en}};
  auto& ins = store.stmt(
      "INSERT INTO notices(number, accuser_id, state, body, prepared_by, prepared_at) VALUES(?, ?, 'proposed', ?, ?, ?)");
  ins.bind(1, num);
  ins.bind(2, id);
  ins.bind(3, body.dump());
  ins.bind(4, r.who.name);
  ins.bind(5, static_cast<int64_t>(now_ms()));
  ins.exec();
  set_state(id, state, r.who.name, "typical-case notice " + num + " prepared", "for a supervisor to approve");
  svc_.audit().record(r.who.name, r.who.role, "accuser.notice.prepare", number, num);
  body["state"] = "proposed";
  return body;
}

Result<Doc> Registry::notices(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto state = f.text("state", false, 20);
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt(
      "SELECT n.number, a.number, n.state, n.body, n.prepared_by, n.prepared_at, n.decided_by, n.decision_reason"
      " FROM notices n JOIN accusers a ON a.id = n.accuser_id WHERE (?1 IS NULL OR n.state = ?1) ORDER BY n.id");
  if (state) st.bind(1, *state); else st.bind(1);
  Doc items = Doc::array();
  while (st.executeStep()) {
    Doc d = Doc::parse(st.getColumn(3).getString());
    d["record"] = st.getColumn(1).getString();
    d["state"] = st.getColumn(2).getString();
    d["prepared_by"] = st.getColumn(4).getString();
    d["prepared_at"] = format_local(st.getColumn(5).getInt64());
    if (!st.getColumn(6).isNull()) {
      d["decided_by"] = st.getColumn(6).getString();
      d["decision_reason"] = st.getColumn(7).getString();
    }
    items.push_back(std::move(d));
  }
  st.reset();
  return Doc{{"items", std::move(items)}};
}

Result<Doc> Registry::decide_notice(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto number = f.text("notice", true, 30);
  auto yes = f.boolean("approve", true);
  auto reason = f.text("reason", true, 1000, 2);
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt("SELECT id, state, body, accuser_id FROM notices WHERE number = ?");
  st.bind(1, *number);
  if (!st.executeStep()) {
    st.reset();
    return Error::make(code::kNotFound, "no notice " + *number);
  }
  int64_t id = st.getColumn(0).getInt64(), accuser = st.getColumn(3).getInt64();
  std::string state = st.getColumn(1).getString();
  Doc body = Doc::parse(st.getColumn(2).getString());
  st.reset();
  if (state != "proposed") return Error::make(code::kConflict, "notice " + *number + " is already " + state);
  auto& up = svc_.store().stmt(
      "UPDATE notices SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?");
  up.bind(1, *yes ? "approved" : "rejected");
  up.bind(2, r.who.name);
  up.bind(3, static_cast<int64_t>(now_ms()));
  up.bind(4, *reason);
  up.bind(5, id);
  up.exec();
  set_state(accuser, state_of(accuser), r.who.name, "typical-case notice " + *number + (*yes ? " approved" : " rejected"), *reason);
  svc_.audit().record(r.who.name, r.who.role, *yes ? "accuser.notice.approve" : "accuser.notice.reject", *number, *reason);
  // The published notice is an event (the weekly counts use it); it names no record.
  if (*yes) svc_.outbox().append("accuser.notice_published", *number, body);
  body["state"] = *yes ? "approved" : "rejected";
  return body;
}

}  // namespace cq::registry
