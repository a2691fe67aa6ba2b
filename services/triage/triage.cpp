#include "triage.h"

#include <spdlog/spdlog.h>

#include "cq/fields.h"
#include "cq/msgpack_writer.h"
#include "schema.h"

namespace cq::triage {

namespace {
const std::set<std::string> kReaders = {role::kClerk,      role::kOfficer,    role::kApprover,
                                        role::kClarifier,  role::kAccuserOfficer, role::kSupervisor,
                                        role::kAdmin,      role::kService};
const std::set<std::string> kOfficers = {role::kOfficer, role::kAdmin};

std::string blob_of(SQLite::Column c) { return std::string(static_cast<const char*>(c.getBlob()), c.getBytes()); }
}  // namespace

std::string Triage::accused_key(const std::string& name, const std::string& unit) {
  return crypto::normalise_name(name) + "|" + crypto::normalise_name(unit);
}

Triage::Triage(Service& svc) : svc_(svc), match_key_(svc.data_key("match")) {
  auto rs = RuleSet::from_config(svc.config());
  if (!rs) throw std::runtime_error("triage rules: " + rs.error().message);
  rules_ = std::move(*rs);
  auto exists = [&](const char* sql) { return svc.store().db().execAndGet(sql).getInt() != 0; };
  any_flagged_ = exists("SELECT EXISTS(SELECT 1 FROM flagged_reporters)");
  any_notice_ = exists("SELECT EXISTS(SELECT 1 FROM notices)");
  any_dispute_ = exists("SELECT EXISTS(SELECT 1 FROM disputes)");
  any_untrue_ = exists("SELECT EXISTS(SELECT 1 FROM conclusions WHERE kind IN ('untrue', 'no_evidence', 'false_accusation'))");
  svc_.consume("intake", [this](const Event& e) { on_intake_event(e); });
  // Authors with a false-accusation finding, as keyed hashes only; from the
  // registry wherever one is configured.
  if (svc.config().services.count("registry"))
    svc_.consume("registry", [this](const Event& e) { on_registry_event(e); });
  svc_.on("triage.show", kReaders, [this](const Request& r) { return show(r); });
  svc_.on("triage.queue", kReaders, [this](const Request& r) { return queue(r); });
  svc_.on("triage.rerun", kOfficers, [this](const Request& r) { return rerun(r); });
  svc_.on("notice.add", kOfficers, [this](const Request& r) { return notice_add(r); });
  svc_.on("dispute.add", {role::kOfficer}, [this](const Request& r) { return dispute_add(r); });
  svc_.on("triage.decide", {role::kOfficer}, [this](const Request& r) { return decide(r); });
  svc_.on("conclusion.add", {role::kOfficer, role::kApprover}, [this](const Request& r) { return conclude(r); });
  svc_.on("conclusion.approve", {role::kApprover}, [this](const Request& r) { return approve(r); });
  svc_.on("conclusion.revise", {role::kOfficer}, [this](const Request& r) { return revise(r); });
  svc_.on("report.notified", {role::kClerk, role::kOfficer}, [this](const Request& r) { return notified(r); });
  svc_.on("triage.overdue", {role::kClerk, role::kOfficer, role::kApprover, role::kSupervisor, role::kAdmin},
          [this](const Request& r) { return overdue(r); });
}

Facts Triage::facts_for(const std::string& case_no, const Doc& data, bool merged) {
  auto& store = svc_.store();
  Facts f = facts_from_report(data);
  f.merged = merged;
  std::string day = local_date(data.value("received_at", int64_t{0})).str();
  auto any = [&](const std::string& sql, auto bind) {
    auto& st = store.stmt(sql);
    bind(st);
    bool hit = st.executeStep();
    st.reset();
    return hit;
  };
  f.known_false_accuser = any_flagged_ && any(
      "SELECT 1 FROM report_reporters r JOIN flagged_reporters f ON f.hash = r.hash WHERE r.case_no = ? LIMIT 1",
      [&](SQLite::Statement& st) { st.bind(1, case_no); });
  f.notice_period = any_notice_ && any(
      "SELECT 1 FROM report_accused a JOIN notices n ON n.accused = a.accused"
      " WHERE a.case_no = ? AND n.from_day <= ? AND n.to_day >= ? LIMIT 1",
      [&](SQLite::Statement& st) {
        st.bind(1, case_no);
        st.bind(2, day);
        st.bind(3, day);
      });
  f.known_dispute = any_dispute_ && any(
      "SELECT 1 FROM report_reporters r JOIN report_accused a ON a.case_no = r.case_no"
      " JOIN disputes d ON d.reporter_hash = r.hash AND d.accused = a.accused WHERE r.case_no = ? LIMIT 1",
      [&](SQLite::Statement& st) { st.bind(1, case_no); });
  std::string text_hash = data.value("text_hash", std::string());
  if (!text_hash.empty()) {
    auto& st = store.stmt("SELECT COUNT(*) FROM reports WHERE text_hash = ?");
    st.bind(1, text_hash);
    st.executeStep();
    f.same_text_copies = st.getColumn(0).getInt();
    st.reset();
  }
  // Repeats allegations already concluded untrue (same official, same
  // category) and brings nothing new to check.
  bool nothing_new = f.text.amounts_yuan.empty() && !f.text.specific_time() && f.text.evidence == 0;
  if (nothing_new && any_untrue_)
    f.repeats_concluded_untrue = any(
        "SELECT 1 FROM report_accused a JOIN report_accused b ON b.accused = a.accused AND b.case_no <> a.case_no"
        " JOIN reports r ON r.case_no = b.case_no JOIN conclusions c ON c.case_no = b.case_no"
        " WHERE a.case_no = ? AND r.category = ? AND c.status = 'effective'"
        " AND c.kind IN ('untrue', 'no_evidence', 'false_accusation') LIMIT 1",
        [&](SQLite::Statement& st) {
          st.bind(1, case_no);
          st.bind(2, data.value("category", std::string()));
        });
  return f;
}

void Triage::store_suggestion(const std::string& case_no, const Suggestion& s, bool rerun, const std::string& region) {
  std::string fired = s.encode_fired();
  auto& st = svc_.store().stmt(
      rerun ? "UPDATE suggestions SET class = ?2, score = ?3, fired = ?4, at = ?5, reruns = reruns + 1 WHERE case_no = ?1"
            : "INSERT INTO suggestions(case_no, class, score, fired, at) VALUES(?1, ?2, ?3, ?4, ?5)");
  st.bind(1, case_no);
  st.bind(2, s.klass);
  st.bind(3, s.score);
  st.bindNoCopy(4, fired.data(), static_cast<int>(fired.size()));
  st.bind(5, static_cast<int64_t>(now_ms()));
  st.exec();
  // report.triaged {case_no, class, score, rules, rerun, region}, written directly.
  MsgWriter w;
  w.map(6).str("region").str(region).str("case_no").str(case_no).str("class").str(s.klass).str("score").value(s.score);
  w.str("rules").array(s.fired.size());
  for (const auto& f : s.fired) w.str(f.rule);
  w.str("rerun").value(rerun);
  svc_.outbox().append_encoded("report.triaged", case_no, w.bytes());
}

void Triage::on_intake_event(const Event& e) {
  if (e.type != "report.received" && e.type != "report.merged") return;
  const Doc& d = e.data;
  auto& store = svc_.store();
  std::string case_no = d.value("case_no", e.subject);
  Millis received = d.value("received_at", int64_t{0});
  auto& ins = store.stmt(
      "INSERT OR IGNORE INTO reports(case_no, received_at, channel, real_name, category, region, merged, text_hash,"
      " event, state, triage_due, ack_due) VALUES(?,?,?,?,?,?,?,?,?,'open',?,?)");
  std::string blob = encode(d);
  ins.bind(1, case_no);
  ins.bind(2, received);
  ins.bind(3, d.value("channel", std::string()));
  ins.bind(4, d.value("real_name", false) ? 1 : 0);
  ins.bind(5, d.value("category", std::string()));
  ins.bind(6, d.value("region", std::string()));
  ins.bind(7, e.type == "report.merged" ? 1 : 0);
  std::string text_hash = d.value("text_hash", std::string());
  if (text_hash.empty()) ins.bind(8); else ins.bind(8, text_hash);
  ins.bind(9, blob.data(), static_cast<int>(blob.size()));
  ins.bind(10, svc_.calendar().add_working_days(local_date(received), svc_.config().deadline("triage", 5)).str());
  std::string ack_due = d.value("ack_due", std::string());
  if (ack_due.empty()) ins.bind(11); else ins.bind(11, ack_due);
  ins.exec();
  if (store.db().getChanges() == 0) return;  // seen before: applying an event twice changes nothing
  if (d.contains("reporter_keys") && d["reporter_keys"].is_object())
    for (const auto& [kind, h] : d["reporter_keys"].items()) {
      auto& st = store.stmt("INSERT OR IGNORE INTO report_reporters(case_no, hash) VALUES(?, ?)");
      st.bind(1, case_no);
      st.bind(2, h.get<std::string>());
      st.exec();
    }
  if (d.contains("accused"))
    for (const auto& a : d["accused"]) {
      auto& st = store.stmt("INSERT OR IGNORE INTO report_accused(case_no, accused) VALUES(?, ?)");
      st.bind(1, case_no);
      st.bind(2, accused_key(a.value("name", std::string()), a.value("unit", std::string())));
      st.exec();
    }
  store_suggestion(case_no, evaluate(rules_, facts_for(case_no, d, e.type == "report.merged")), false,
                   d.value("region", std::string()));
}

void Triage::on_registry_event(const Event& e) {
  if (e.type != "accuser.flagged" && e.type != "accuser.cleared") return;
  if (!e.data.contains("hashes") || !e.data["hashes"].is_array()) return;
  for (const auto& h : e.data["hashes"]) {
    if (!h.is_string()) continue;
    if (e.type == "accuser.flagged") any_flagged_ = true;
    auto& st = svc_.store().stmt(e.type == "accuser.flagged"
                                     ? "INSERT OR IGNORE INTO flagged_reporters(hash, since) VALUES(?, ?)"
                                     : "DELETE FROM flagged_reporters WHERE hash = ? AND ? IS NOT NULL");
    st.bind(1, h.get<std::string>());
    st.bind(2, e.at);
    st.exec();
  }
}

Result<Doc> Triage::show(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt(
      "SELECT r.received_at, r.state, r.triage_due, r.event, s.class, s.score, s.fired, s.reruns"
      " FROM reports r JOIN suggestions s ON s.case_no = r.case_no WHERE r.case_no = ?");
  st.bind(1, *case_no);
  if (!st.executeStep())
    return Error::make(code::kNotFound, "no triage for case " + *case_no + " (not registered, or not yet received from intake)");
  auto ev = decode(blob_of(st.getColumn(3)), UnpackLimits{64 << 20, 64 << 20, 0, 1 << 20, 1 << 20, 64});
  Doc data = ev ? *ev : Doc::object();
  std::string due = st.getColumn(2).getString();
  Doc out{{"case_no", *case_no},
          {"received_at", format_local(st.getColumn(0).getInt64())},
          {"state", st.getColumn(1).getString()},
          {"triage_due", due},
          {"overdue", st.getColumn(1).getString() == "open" && local_date(now_ms()).str() > due},
          {"channel", data.value("channel", std::string())},
          {"category", data.value("category", std::string())},
          {"region", data.value("region", std::string())},
          {"real_name", data.value("real_name", false)},
          {"summary", data.value("summary", std::string())},
          {"accused", data.contains("accused") ? data["accused"] : Doc::array()},
          {"suggestion",
           {{"class", st.getColumn(4).getString()},
            {"score", st.getColumn(5).getDouble()},
            {"fired", decode(blob_of(st.getColumn(6)), UnpackLimits{64 << 20, 64 << 20, 0, 1 << 20, 1 << 20, 64}).value()},
            {"reruns", st.getColumn(7).getInt()}}}};
  st.reset();
  return out;
}

Result<Doc> Triage::queue(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto region = f.label("region", false, svc_.config().regions, "region");
  auto klass = f.text("class", false, 30);
  if (klass && std::find(classes().begin(), classes().end(), *klass) == classes().end())
    p.add("body.class", "unknown class '" + *klass + "' (verifiable, vague, suspected_malicious, not_ours, repeat)");
  auto limit = f.integer("limit", false, 1, 1000).value_or(100);
  if (!p.empty()) return p.error();
  std::string sql =
      "SELECT r.case_no, r.received_at, r.region, r.category, r.channel, r.triage_due, s.class, s.score"
      " FROM reports r JOIN suggestions s ON s.case_no = r.case_no WHERE r.state = 'open'";
  if (region) sql += " AND r.region = :region";
  if (klass) sql += " AND s.class = :class";
  sql += " ORDER BY r.received_at LIMIT :limit";
  auto& st = svc_.store().stmt(sql);
  if (region) st.bind(":region", *region);
  if (klass) st.bind(":class", *klass);
  st.bind(":limit", static_cast<int>(limit));
  std::string today = local_date(now_ms()).str();
  Doc items = Doc::array();
  while (st.executeStep()) {
    std::string due = st.getColumn(5).getString();
    items.push_back({{"case_no", st.getColumn(0).getString()},
                     {"received_at", format_local(st.getColumn(1).getInt64())},
                     {"region", st.getColumn(2).getString()},
                     {"category", st.getColumn(3).getString()},
                     {"channel", st.getColumn(4).getString()},
                     {"triage_due", due},
                     {"overdue", today > due},
                     {"class", st.getColumn(6).getString()},
                     {"score", st.getColumn(7).getDouble()}});
  }
  st.reset();
  return Doc{{"items", items}};
}

Result<Doc> Triage::rerun(const Request& r) {
  // The rules are read again from the configuration file: a changed weight
  // takes effect without a rebuild or a restart.
  auto cfg = load_config(svc_.config().file);
  if (!cfg) return cfg.error();
  auto rs = RuleSet::from_config(*cfg);
  if (!rs) return rs.error();
  rules_ = std::move(*rs);
  auto& store = svc_.store();
  std::vector<std::pair<std::string, std::pair<std::string, bool>>> open;  // case, (event blob, merged)
  {
    SQLite::Statement st(store.db(), "SELECT r.case_no, r.event, r.merged FROM reports r WHERE r.state = 'open' ORDER BY r.received_at");
    while (st.executeStep()) open.push_back({st.getColumn(0).getString(), {blob_of(st.getColumn(1)), st.getColumn(2).getInt() != 0}});
  }
  int changed = 0;
  for (const auto& [case_no, ev] : open) {
    auto data = decode(ev.first, UnpackLimits{64 << 20, 64 << 20, 0, 1 << 20, 1 << 20, 64});
    if (!data) continue;
    Suggestion s = evaluate(rules_, facts_for(case_no, *data, ev.second));
    auto& old = store.stmt("SELECT class, score FROM suggestions WHERE case_no = ?");
    old.bind(1, case_no);
    bool same = old.executeStep() && old.getColumn(0).getString() == s.klass && old.getColumn(1).getDouble() == s.score;
    old.reset();
    if (same) continue;
    store_suggestion(case_no, s, true, data->value("region", std::string()));
    ++changed;
  }
  svc_.audit().record(r.who.name, r.who.role, "triage.rerun", "", "rescored " + std::to_string(open.size()));
  spdlog::info("triage rerun by {}: {} open reports, {} changed", r.who.name, open.size(), changed);
  return Doc{{"rescored", open.size()}, {"changed", changed}, {"rules", rules_.rules.size()}};
}

Result<Doc> Triage::notice_add(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto name = f.text("name", true, 50);
  auto unit = f.text("unit", true, 100);
  auto kind = f.text("kind", true, 20);
  if (kind && *kind != "promotion" && *kind != "election")
    p.add("body.kind", "expected promotion (任前公示) or election (换届)");
  auto from = f.text("from", true, 10);
  auto to = f.text("to", true, 10);
  auto note = f.text("note", false, 500).value_or("");
  std::optional<Date> df, dt;
  if (from && !(df = Date::parse(*from))) p.add("body.from", "not a date YYYY-MM-DD");
  if (to && !(dt = Date::parse(*to))) p.add("body.to", "not a date YYYY-MM-DD");
  if (df && dt && *dt < *df) p.add("body.to", "ends before it starts");
  if (!p.empty()) return p.error();
  any_notice_ = true;
  auto& st = svc_.store().stmt("INSERT INTO notices(accused, kind, from_day, to_day, note, by, at) VALUES(?,?,?,?,?,?,?)");
  st.bind(1, accused_key(*name, *unit));
  st.bind(2, *kind);
  st.bind(3, df->str());
  st.bind(4, dt->str());
  st.bind(5, note);
  st.bind(6, r.who.name);
  st.bind(7, static_cast<int64_t>(now_ms()));
  st.exec();
  int64_t id = svc_.store().db().getLastInsertRowid();
  svc_.audit().record(r.who.name, r.who.role, "notice.add", *name + "|" + *unit, *kind + " " + df->str() + ".." + dt->str());
  return Doc{{"id", id}, {"accused", *name}, {"kind", *kind}, {"from", df->str()}, {"to", dt->str()}};
}

Result<Doc> Triage::dispute_add(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  const Doc* rep = f.map("reporter", true);
  std::vector<std::string> hashes;
  if (rep) {
    Fields rf(*rep, "body.reporter", p);
    if (auto id = rf.text("id_number", false, 30)) hashes.push_back(crypto::keyed_hash(match_key_, "reporter.id", crypto::normalise_id_number(*id)));
    if (auto ph = rf.text("phone", false, 30)) hashes.push_back(crypto::keyed_hash(match_key_, "reporter.phone", crypto::normalise_phone(*ph)));
    if (hashes.empty() && p.empty()) p.add("body.reporter", "needs id_number or phone (only their keyed hash is kept)");
  }
  auto name = f.text("name", true, 50);
  auto unit = f.text("unit", true, 100);
  auto note = f.text("note", true, 500);
  if (!p.empty()) return p.error();
  any_dispute_ = true;
  for (const auto& h : hashes) {
    auto& st = svc_.store().stmt("INSERT INTO disputes(reporter_hash, accused, note, by, at) VALUES(?,?,?,?,?)");
    st.bind(1, h);
    st.bind(2, accused_key(*name, *unit));
    st.bind(3, *note);
    st.bind(4, r.who.name);
    st.bind(5, static_cast<int64_t>(now_ms()));
    st.exec();
  }
  svc_.audit().record(r.who.name, r.who.role, "dispute.add", *name + "|" + *unit, *note);
  return Doc{{"recorded", hashes.size()}, {"accused", *name}};
}

namespace {
const std::vector<std::string> kDisposals = {"talk_or_letter", "preliminary_verification", "hold", "close", "forward"};
const std::vector<std::string> kKinds = {"substantiated", "partly", "untrue", "no_evidence", "false_accusation"};
bool one_of(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }
std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}
}  // namespace

std::string Triage::due_in(int working_days) const {
  return svc_.calendar().add_working_days(local_date(now_ms()), working_days).str();
}

std::optional<std::string> Triage::state_of(const std::string& case_no) {
  auto& st = svc_.store().stmt("SELECT state FROM reports WHERE case_no = ?");
  st.bind(1, case_no);
  std::optional<std::string> out;
  if (st.executeStep()) out = st.getColumn(0).getString();
  st.reset();
  return out;
}

Result<Doc> Triage::decide(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  auto klass = f.text("class", false, 30);
  auto reason = f.text("reason", false, 1000);
  auto disposal = f.text("disposal", true, 40);
  auto forward_to = f.text("forward_to", false, 100);
  if (klass && !one_of(classes(), *klass)) p.add("body.class", "unknown class '" + *klass + "' (" + joined(classes()) + ")");
  if (disposal && !one_of(kDisposals, *disposal))
    p.add("body.disposal", "unknown disposal '" + *disposal + "' (" + joined(kDisposals) + ")");
  if (disposal && *disposal == "forward" && !forward_to) p.add("body.forward_to", "missing: forwarding names the competent body");
  if (!p.empty()) return p.error();
  auto state = state_of(*case_no);
  if (!state) return Error::make(code::kNotFound, "no triage for case " + *case_no);
  if (*state != "open") return Error::make(code::kConflict, *case_no + " was already decided (state " + *state + ")");
  auto& sg = svc_.store().stmt("SELECT class FROM suggestions WHERE case_no = ?");
  sg.bind(1, *case_no);
  sg.executeStep();
  std::string suggested = sg.getColumn(0).getString();
  sg.reset();
  std::string chosen = klass.value_or(suggested);
  bool overridden = chosen != suggested;
  if (overridden && !reason)
    return Error::invalid({{"body.reason", "missing: overriding the suggestion (" + suggested + " → " + chosen + ") needs a reason"}});
  auto& ins = svc_.store().stmt(
      "INSERT INTO decisions(case_no, suggested, class, overridden, reason, disposal, forward_to, by, at) VALUES(?,?,?,?,?,?,?,?,?)");
  ins.bind(1, *case_no);
  ins.bind(2, suggested);
  ins.bind(3, chosen);
  ins.bind(4, overridden ? 1 : 0);
  ins.bind(5, reason.value_or(""));
  ins.bind(6, *disposal);
  ins.bind(7, forward_to.value_or(""));
  ins.bind(8, r.who.name);
  ins.bind(9, static_cast<int64_t>(now_ms()));
  ins.exec();
  std::string new_state = *disposal == "forward" ? "forwarded" : *disposal == "close" ? "closed" : "decided";
  std::string forward_due = *disposal == "forward" ? due_in(svc_.config().deadline("forward", 5)) : "";
  std::string verification_due =
      (*disposal == "talk_or_letter" || *disposal == "preliminary_verification") ? due_in(svc_.config().deadline("verification", 60)) : "";
  auto& up = svc_.store().stmt("UPDATE reports SET state = ?, held_by = ?, forward_due = ?, verification_due = ? WHERE case_no = ?");
  up.bind(1, new_state);
  up.bind(2, r.who.name);
  if (forward_due.empty()) up.bind(3); else up.bind(3, forward_due);
  if (verification_due.empty()) up.bind(4); else up.bind(4, verification_due);
  up.bind(5, *case_no);
  up.exec();
  svc_.audit().record(r.who.name, r.who.role, "triage.decide", *case_no,
                      chosen + " / " + *disposal + (overridden ? " (override: " + *reason + ")" : ""));
  auto& rep = svc_.store().stmt("SELECT region, triage_due FROM reports WHERE case_no = ?");
  rep.bind(1, *case_no);
  rep.executeStep();
  std::string region = rep.getColumn(0).getString(), triage_due = rep.getColumn(1).getString();
  rep.reset();
  Doc ev{{"case_no", *case_no}, {"suggested", suggested}, {"class", chosen}, {"overridden", overridden},
         {"disposal", *disposal}, {"forward_to", forward_to.value_or("")}, {"by", r.who.name},
         {"region", region}, {"triage_due", triage_due}};
  svc_.outbox().append("report.decided", *case_no, ev);
  ev["state"] = new_state;
  if (!forward_due.empty()) ev["forward_due"] = forward_due;
  if (!verification_due.empty()) ev["verification_due"] = verification_due;
  return ev;
}

void Triage::make_effective(const std::string& case_no, int64_t id, const Principal& by) {
  auto& store = svc_.store();
  auto& c = store.stmt("SELECT kind, summary, revises, revision_reason, fabrication_finding FROM conclusions WHERE id = ?");
  c.bind(1, id);
  c.executeStep();
  std::string kind = c.getColumn(0).getString(), summary = c.getColumn(1).getString();
  std::string fabrication = c.getColumn(4).isNull() ? "" : c.getColumn(4).getString();
  bool revision = !c.getColumn(2).isNull();
  int64_t previous = revision ? c.getColumn(2).getInt64() : 0;
  std::string revision_reason = c.getColumn(3).isNull() ? "" : c.getColumn(3).getString();
  c.reset();
  std::string previous_kind;
  if (revision) {
    auto& old = store.stmt("UPDATE conclusions SET status = 'superseded' WHERE id = ? RETURNING kind");
    old.bind(1, previous);
    if (old.executeStep()) previous_kind = old.getColumn(0).getString();
    old.reset();
  }
  if (kind == "untrue" || kind == "no_evidence" || kind == "false_accusation") any_untrue_ = true;
  auto& st = store.stmt("UPDATE conclusions SET status = 'effective' WHERE id = ?");
  st.bind(1, id);
  st.exec();
  auto& rep = store.stmt("SELECT real_name, event FROM reports WHERE case_no = ?");
  rep.bind(1, case_no);
  rep.executeStep();
  bool real_name = rep.getColumn(0).getInt() != 0;
  auto data = decode(blob_of(rep.getColumn(1)), UnpackLimits{64 << 20, 64 << 20, 0, 1 << 20, 1 << 20, 64});
  rep.reset();
  std::string feedback_due = real_name ? due_in(svc_.config().deadline("conclusion_notice", 15)) : "";
  auto& up = store.stmt("UPDATE reports SET state = 'concluded', feedback_due = ?, feedback_done = 0 WHERE case_no = ?");
  if (feedback_due.empty()) up.bind(1); else up.bind(1, feedback_due);
  up.bind(2, case_no);
  up.exec();
  const Doc& d = data ? *data : Doc::object();
  // What clarification and the registry need, and no identity: only the
  // keyed hashes of the reporter's identifiers.
  Doc ev{{"case_no", case_no},
         {"kind", kind},
         {"summary", summary},
         {"region", d.value("region", std::string())},
         {"category", d.value("category", std::string())},
         {"channel", d.value("channel", std::string())},
         {"received_at", d.value("received_at", int64_t{0})},
         {"real_name", real_name},
         {"reporter_keys", d.contains("reporter_keys") ? d["reporter_keys"] : Doc::object()},
         {"accused", d.contains("accused") ? d["accused"] : Doc::array()},
         {"concluded_by", by.name},
         {"conclusion_id", id}};
  if (kind == "false_accusation") ev["fabrication_finding"] = fabrication;
  if (revision) {
    ev["previous_kind"] = previous_kind;
    ev["revision_reason"] = revision_reason;
    svc_.outbox().append("report.conclusion_revised", case_no, ev);
  } else {
    svc_.outbox().append("report.concluded", case_no, ev);
  }
}

namespace {
// A conclusion as sent by conclusion.add and conclusion.revise.
struct ConclusionInput {
  std::string case_no, kind, summary, finding, reason;
  bool needs_approval() const { return kind == "false_accusation"; }
};

Result<ConclusionInput> read_conclusion(const Doc& body, bool with_reason) {
  Problems p;
  Fields f(body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  auto kind = f.text("kind", true, 30);
  auto summary = f.text("summary", true, 2000);
  auto reason = with_reason ? f.text("reason", true, 1000) : std::nullopt;
  auto finding = f.text("fabrication_finding", false, 2000);
  if (kind && !one_of(kKinds, *kind)) p.add("body.kind", "unknown conclusion '" + *kind + "' (" + joined(kKinds) + ")");
  if (kind && *kind == "false_accusation" && !finding)
    p.add("body.fabrication_finding",
          "missing: a false-accusation conclusion needs the finding that facts were fabricated on purpose; an honest mistake is 'untrue'");
  if (!p.empty()) return p.error();
  return ConclusionInput{*case_no, *kind, *summary, finding.value_or(""), reason.value_or("")};
}

// Inserts a conclusion row; returns its id.
int64_t insert_conclusion(Store& store, const ConclusionInput& c, const std::string& status, const std::string& by,
                          std::optional<int64_t> revises) {
  auto& ins = store.stmt(
      "INSERT INTO conclusions(case_no, kind, summary, fabrication_finding, status, proposed_by, proposed_at, revises, revision_reason)"
      " VALUES(?,?,?,?,?,?,?,?,?)");
  ins.bind(1, c.case_no);
  ins.bind(2, c.kind);
  ins.bind(3, c.summary);
  ins.bind(4, c.finding);
  ins.bind(5, status);
  ins.bind(6, by);
  ins.bind(7, static_cast<int64_t>(now_ms()));
  if (revises) ins.bind(8, *revises); else ins.bind(8);
  if (revises) ins.bind(9, c.reason); else ins.bind(9);
  ins.exec();
  return store.db().getLastInsertRowid();
}
}  // namespace

Result<Doc> Triage::conclude(const Request& r) {
  auto in = read_conclusion(r.body, false);
  if (!in) return in.error();
  const std::string& case_no = in->case_no;
  const std::string& kind = in->kind;
  auto state = state_of(case_no);
  if (!state) return Error::make(code::kNotFound, "no triage for case " + case_no);
  if (*state == "open") return Error::make(code::kConflict, case_no + " has no decision yet: decide it first (cq triage decide)");
  if (*state == "concluded") return Error::make(code::kConflict, case_no + " is already concluded: revise it (cq conclusion revise) with a reason");
  if (*state == "forwarded") return Error::make(code::kConflict, case_no + " was forwarded to another body");
  auto& pending = svc_.store().stmt("SELECT 1 FROM conclusions WHERE case_no = ? AND status = 'proposed'");
  pending.bind(1, case_no);
  bool has_pending = pending.executeStep();
  pending.reset();
  if (has_pending) return Error::make(code::kConflict, case_no + " has a conclusion awaiting approval");
  bool needs_approval = in->needs_approval();
  int64_t id = insert_conclusion(svc_.store(), *in, needs_approval ? "proposed" : "effective", r.who.name, std::nullopt);
  svc_.audit().record(r.who.name, r.who.role, needs_approval ? "conclusion.propose" : "conclusion.add", case_no, kind);
  if (!needs_approval) make_effective(case_no, id, r.who);
  return Doc{{"case_no", case_no}, {"kind", kind}, {"status", needs_approval ? "proposed" : "effective"},
             {"note", needs_approval ? "a false-accusation finding takes effect only when a second person with the approver role confirms it" : ""}};
}

Result<Doc> Triage::approve(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  auto yes = f.boolean("approve", true);
  auto reason = f.text("reason", true, 1000);
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt("SELECT id, proposed_by, kind FROM conclusions WHERE case_no = ? AND status = 'proposed'");
  st.bind(1, *case_no);
  if (!st.executeStep()) return Error::make(code::kNotFound, "no conclusion of " + *case_no + " awaits approval");
  int64_t id = st.getColumn(0).getInt64();
  std::string proposer = st.getColumn(1).getString();
  st.reset();
  if (proposer == r.who.name)
    return Error::make(code::kForbidden, "the proposer of a finding cannot approve it: a second person must (" + proposer + ")");
  auto& up = svc_.store().stmt("UPDATE conclusions SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?");
  up.bind(1, *yes ? "approved" : "rejected");
  up.bind(2, r.who.name);
  up.bind(3, static_cast<int64_t>(now_ms()));
  up.bind(4, *reason);
  up.bind(5, id);
  up.exec();
  svc_.audit().record(r.who.name, r.who.role, *yes ? "conclusion.approve" : "conclusion.reject", *case_no, *reason);
  if (*yes) make_effective(*case_no, id, r.who);
  return Doc{{"case_no", *case_no}, {"status", *yes ? "effective" : "rejected"}};
}

Result<Doc> Triage::revise(const Request& r) {
  auto in = read_conclusion(r.body, true);
  if (!in) return in.error();
  const std::string& case_no = in->case_no;
  const std::string& kind = in->kind;
  const std::string& reason = in->reason;
  auto& cur = svc_.store().stmt("SELECT id, kind FROM conclusions WHERE case_no = ? AND status = 'effective'");
  cur.bind(1, case_no);
  if (!cur.executeStep()) return Error::make(code::kNotFound, case_no + " has no effective conclusion to revise");
  int64_t current = cur.getColumn(0).getInt64();
  std::string current_kind = cur.getColumn(1).getString();
  cur.reset();
  bool needs_approval = in->needs_approval();
  int64_t id = insert_conclusion(svc_.store(), *in, needs_approval ? "proposed" : "revising", r.who.name, current);
  svc_.audit().record(r.who.name, r.who.role, "conclusion.revise", case_no, current_kind + " → " + kind + ": " + reason);
  if (!needs_approval) make_effective(case_no, id, r.who);
  return Doc{{"case_no", case_no}, {"from", current_kind}, {"kind", kind}, {"status", needs_approval ? "proposed" : "effective"}};
}

Result<Doc> Triage::notified(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  auto what = f.text("what", true, 20);
  if (what && *what != "acceptance" && *what != "conclusion") p.add("body.what", "expected acceptance or conclusion");
  if (!p.empty()) return p.error();
  if (!state_of(*case_no)) return Error::make(code::kNotFound, "no triage for case " + *case_no);
  auto& st = svc_.store().stmt(*what == "acceptance" ? "UPDATE reports SET ack_done = 1 WHERE case_no = ?"
                                                     : "UPDATE reports SET feedback_done = 1 WHERE case_no = ?");
  st.bind(1, *case_no);
  st.exec();
  svc_.audit().record(r.who.name, r.who.role, "reporter.notified", *case_no, *what);
  return Doc{{"case_no", *case_no}, {"notified", *what}};
}

Result<Doc> Triage::overdue(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto within = f.integer("within_days", false, 0, 250).value_or(0);
  if (!p.empty()) return p.error();
  Date today = local_date(now_ms());
  std::string limit = svc_.calendar().add_working_days(today, static_cast<int>(within)).str();
  if (within == 0) limit = today.str();
  // Every deadline the office tracks, with who holds the work.
  const char* sql =
      "SELECT case_no, 'triage decision' AS what, triage_due AS due, 'unassigned (officers)' AS holder FROM reports"
      "  WHERE state = 'open' AND triage_due <= :limit"
      " UNION ALL SELECT case_no, 'forward to the competent body', forward_due, held_by FROM reports"
      "  WHERE state = 'forwarded' AND forward_due <= :limit"
      " UNION ALL SELECT case_no, 'verification conclusion', verification_due, held_by FROM reports"
      "  WHERE state = 'decided' AND verification_due <= :limit"
      " UNION ALL SELECT case_no, 'acceptance notice to the real-name reporter', ack_due, 'intake clerks' FROM reports"
      "  WHERE ack_due IS NOT NULL AND ack_done = 0 AND ack_due <= :limit"
      " UNION ALL SELECT case_no, 'conclusion feedback to the real-name reporter', feedback_due, held_by FROM reports"
      "  WHERE state = 'concluded' AND feedback_due IS NOT NULL AND feedback_done = 0 AND feedback_due <= :limit"
      " ORDER BY due, case_no LIMIT 1000";
  SQLite::Statement st(svc_.store().db(), sql);
  st.bind(":limit", limit);
  Doc items = Doc::array();
  while (st.executeStep()) {
    std::string due = st.getColumn(2).getString();
    auto d = Date::parse(due);
    bool late = due < today.str();
    items.push_back({{"case_no", st.getColumn(0).getString()},
                     {"what", st.getColumn(1).getString()},
                     {"due", due},
                     {"overdue", late},
                     {"working_days_late", late && d ? svc_.calendar().working_days_between(*d, today) : 0},
                     {"held_by", st.getColumn(3).isNull() ? "" : st.getColumn(3).getString()}});
  }
  return Doc{{"today", today.str()}, {"until", limit}, {"items", items}};
}

}  // namespace cq::triage
