#include "triage.h"

#include <spdlog/spdlog.h>

#include "cq/fields.h"
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
  svc_.consume("intake", [this](const Event& e) { on_intake_event(e); });
  svc_.on("triage.show", kReaders, [this](const Request& r) { return show(r); });
  svc_.on("triage.queue", kReaders, [this](const Request& r) { return queue(r); });
  svc_.on("triage.rerun", kOfficers, [this](const Request& r) { return rerun(r); });
  svc_.on("notice.add", kOfficers, [this](const Request& r) { return notice_add(r); });
  svc_.on("dispute.add", {role::kOfficer}, [this](const Request& r) { return dispute_add(r); });
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
  f.known_false_accuser = any(
      "SELECT 1 FROM report_reporters r JOIN flagged_reporters f ON f.hash = r.hash WHERE r.case_no = ? LIMIT 1",
      [&](SQLite::Statement& st) { st.bind(1, case_no); });
  f.notice_period = any(
      "SELECT 1 FROM report_accused a JOIN notices n ON n.accused = a.accused"
      " WHERE a.case_no = ? AND n.from_day <= ? AND n.to_day >= ? LIMIT 1",
      [&](SQLite::Statement& st) {
        st.bind(1, case_no);
        st.bind(2, day);
        st.bind(3, day);
      });
  f.known_dispute = any(
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
  // repeats_concluded_untrue is fed by conclusions, which this service records next.
  return f;
}

void Triage::store_suggestion(const std::string& case_no, const Suggestion& s, bool rerun) {
  Doc d = s.to_doc();
  auto& st = svc_.store().stmt(
      "INSERT INTO suggestions(case_no, class, score, fired, at) VALUES(?,?,?,?,?)"
      " ON CONFLICT(case_no) DO UPDATE SET class = excluded.class, score = excluded.score,"
      " fired = excluded.fired, at = excluded.at, reruns = reruns + 1");
  st.bind(1, case_no);
  st.bind(2, s.klass);
  st.bind(3, s.score);
  st.bind(4, d["fired"].dump());
  st.bind(5, static_cast<int64_t>(now_ms()));
  st.exec();
  Doc rules = Doc::array();
  for (const auto& f : s.fired) rules.push_back(f.rule);
  svc_.outbox().append("report.triaged", case_no,
                       Doc{{"case_no", case_no}, {"class", s.klass}, {"score", s.score}, {"rules", rules}, {"rerun", rerun}});
}

void Triage::on_intake_event(const Event& e) {
  if (e.type != "report.received" && e.type != "report.merged") return;
  const Doc& d = e.data;
  auto& store = svc_.store();
  std::string case_no = d.value("case_no", e.subject);
  Millis received = d.value("received_at", int64_t{0});
  auto& ins = store.stmt(
      "INSERT OR IGNORE INTO reports(case_no, received_at, channel, real_name, category, region, merged, text_hash,"
      " event, state, triage_due) VALUES(?,?,?,?,?,?,?,?,?,'open',?)");
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
  store_suggestion(case_no, evaluate(rules_, facts_for(case_no, d, e.type == "report.merged")), false);
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
            {"fired", Doc::parse(st.getColumn(6).getString())},
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
    store_suggestion(case_no, s, true);
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

}  // namespace cq::triage
