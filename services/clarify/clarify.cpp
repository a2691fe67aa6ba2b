#include "clarify.h"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <ctime>
#include <set>

#include "cq/crypto.h"
#include "cq/event_fields.h"
#include "cq/fields.h"
#include "ics.h"

namespace cq::clarify {

namespace {
// Clarification staff alone change a case.
const std::set<std::string> kStaff = {role::kClarifier};
const std::set<std::string> kReaders = {role::kClarifier, role::kOfficer, role::kApprover, role::kSupervisor,
                                        role::kAdmin};
const std::vector<std::string> kListStates = {"awaiting_consent", "to_schedule", "scheduled",
                                              "held",             "follow_up_due", "closed"};
const char* kWeekdays[] = {"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

bool clarifiable(const std::string& kind) { return kind == "untrue" || kind == "no_evidence"; }

// "HH:MM" -> minutes since midnight.
std::optional<int> minutes_of(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) || !isdigit(s[4]))
    return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string utc_stamp(Millis t) {
  std::time_t secs = t / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

int utc_offset_minutes_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return static_cast<int>(tm.tm_gmtoff / 60);
}

}  // namespace

Result<Settings> settings_from_config(const Config& cfg) {
  Settings s;
  s.types = {{"meeting", "会议澄清"}, {"written", "书面澄清"}, {"individual", "个别澄清"}, {"public_notice", "通报澄清"}};
  s.scopes = {{"unit", "单位内"}, {"village", "村（社区）"}, {"district", "县（区）"}, {"public", "社会公开"}};
  s.venue_free_types = {"written", "public_notice"};
  const toml::table* t = cfg.raw ? (*cfg.raw)["clarify"].as_table() : nullptr;
  if (!t) return s;
  Problems p;
  auto labels = [&](const char* key, std::vector<Label>& out, bool types) {
    auto arr = (*t)[key].as_array();
    if (!arr) return;
    out.clear();
    if (types) s.venue_free_types.clear();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string at = std::string("clarify.") + key + "[" + std::to_string(i) + "]";
      auto e = arr->get(i)->as_table();
      if (!e || !(*e)["code"].value<std::string>() || !(*e)["name"].value<std::string>()) {
        p.add(at, "expected {code, name}");
        continue;
      }
      out.push_back({*(*e)["code"].value<std::string>(), *(*e)["name"].value<std::string>()});
      if (types && !(*e)["needs_venue"].value_or(true)) s.venue_free_types.push_back(out.back().code);
    }
    if (out.empty()) p.add(std::string("clarify.") + key, "must list at least one");
  };
  labels("types", s.types, true);
  labels("scopes", s.scopes, false);
  if (auto h = (*t)["working_hours"].as_table()) {
    s.day_start = (*h)["start"].value_or(s.day_start);
    s.day_end = (*h)["end"].value_or(s.day_end);
  }
  auto a = minutes_of(s.day_start), b = minutes_of(s.day_end);
  if (!a) p.add("clarify.working_hours.start", "expected HH:MM");
  if (!b) p.add("clarify.working_hours.end", "expected HH:MM");
  if (a && b && *a >= *b) p.add("clarify.working_hours", "start must be before end");
  if (auto n = (*t)["follow_up_working_days"].value<int64_t>()) {
    if (*n < 1 || *n > 250) p.add("clarify.follow_up_working_days", "expected 1..250");
    else s.follow_up_days = static_cast<int>(*n);
  }
  if (!p.empty()) return p.error();
  return s;
}

Clarify::Clarify(Service& svc) : svc_(svc) {
  auto s = settings_from_config(svc.config());
  if (!s) throw std::runtime_error("clarify settings: " + s.error().message);
  settings_ = std::move(*s);
  svc_.consume("triage", [this](const Event& e) { on_triage_event(e); });
  svc_.on("clarify.consent", kStaff, [this](const Request& r) { return consent(r); });
  svc_.on("clarify.schedule", kStaff, [this](const Request& r) { return schedule(r); });
  svc_.on("clarify.reschedule", kStaff, [this](const Request& r) { return reschedule(r); });
  svc_.on("clarify.cancel", kStaff, [this](const Request& r) { return cancel(r); });
  svc_.on("clarify.held", kStaff, [this](const Request& r) { return held(r); });
  svc_.on("clarify.followup", kStaff, [this](const Request& r) { return follow_up(r); });
  svc_.on("clarify.list", kReaders, [this](const Request& r) { return list(r); });
  svc_.on("clarify.show", kReaders, [this](const Request& r) { return show(r); });
  svc_.on("clarify.ics", kReaders, [this](const Request& r) { return ics(r); });
}

// ---- events from triage -------------------------------------------------

void Clarify::on_triage_event(const Event& e) {
  if (e.type != "report.concluded" && e.type != "report.conclusion_revised") return;
  auto& once = svc_.store().stmt("INSERT OR IGNORE INTO applied(conclusion_id) VALUES(?)");
  once.bind(1, ev::integer(e.data, "conclusion_id"));
  once.exec();
  if (svc_.store().db().getChanges() == 0) return;  // applied before
  if (clarifiable(ev::str(e.data, "kind"))) open_cases(e);
  else if (e.type == "report.conclusion_revised") withdraw_cases(e);
}

void Clarify::open_cases(const Event& e) {
  const Doc& d = e.data;
  auto& store = svc_.store();
  std::string case_no = ev::str(d, "case_no");
  auto acc = d.find("accused");
  if (acc == d.end() || !acc->is_array()) return;
  std::string due = svc_.calendar()
                        .add_working_days(local_date(e.at), svc_.config().deadline("clarification", 30))
                        .str();
  std::string prefix = "CL" + std::to_string(local_date(e.at).year()) + "-";
  for (std::size_t i = 0; i < acc->size(); ++i) {
    const Doc& a = (*acc)[i];
    if (!a.is_object()) continue;
    std::string num = store.next_number("cases", prefix, 5);
    std::string region = ev::str(a, "region").empty() ? ev::str(d, "region") : ev::str(a, "region");
    auto& ins = store.stmt(
        "INSERT INTO cases(number, case_no, official_idx, official, unit, post, region, conclusion, summary, opened_at,"
        " due, state, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,'awaiting_consent',?)"
        " ON CONFLICT(case_no, official_idx) DO NOTHING");
    ins.bind(1, num);
    ins.bind(2, case_no);
    ins.bind(3, static_cast<int64_t>(i));
    ins.bind(4, ev::str(a, "name"));
    ins.bind(5, ev::str(a, "unit"));
    ins.bind(6, ev::str(a, "post"));
    ins.bind(7, region);
    ins.bind(8, ev::str(d, "kind"));
    ins.bind(9, ev::str(d, "summary"));
    ins.bind(10, static_cast<int64_t>(e.at));
    ins.bind(11, due);
    ins.bind(12, static_cast<int64_t>(e.at));
    ins.exec();
    if (store.db().getChanges() == 0) continue;  // one case per (report, official)
    int64_t id = store.db().getLastInsertRowid();
    log(id, "triage: " + ev::str(d, "concluded_by"), "opened",
        "report " + case_no + " concluded " + ev::str(d, "kind") + "; due " + due, "");
    emit("clarify.opened", id, Doc{{"due", due}, {"conclusion", ev::str(d, "kind")}});
  }
}

// The report's conclusion was revised to something that is not untrue or
// unproven: its open clarification cases are withdrawn, briefings cancelled.
void Clarify::withdraw_cases(const Event& e) {
  auto& store = svc_.store();
  std::string case_no = ev::str(e.data, "case_no");
  std::vector<int64_t> ids;
  auto& st = store.stmt("SELECT id FROM cases WHERE case_no = ? AND state <> 'closed'");
  st.bind(1, case_no);
  while (st.executeStep()) ids.push_back(st.getColumn(0).getInt64());
  st.reset();
  std::string reason = "conclusion revised to " + ev::str(e.data, "kind") + ": " + ev::str(e.data, "revision_reason");
  for (int64_t id : ids) {
    bool pending = state_of(id) != "held";  // no briefing held yet
    auto& b = store.stmt(
        "UPDATE briefings SET state = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE case_id = ? AND state = 'scheduled'");
    b.bind(1, static_cast<int64_t>(now_ms()));
    b.bind(2, id);
    b.exec();
    auto& c = store.stmt("UPDATE cases SET state = 'closed', outcome = 'withdrawn', updated_at = ? WHERE id = ?");
    c.bind(1, static_cast<int64_t>(now_ms()));
    c.bind(2, id);
    c.exec();
    log(id, "triage: " + ev::str(e.data, "concluded_by"), "withdrawn", "", reason);
    emit("clarify.closed", id, Doc{{"outcome", "withdrawn"}, {"pending", pending}});
  }
}

void Clarify::log(int64_t case_id, const std::string& by, const std::string& what, const std::string& detail,
                  const std::string& reason) {
  auto& h = svc_.store().stmt("INSERT INTO history(case_id, at, by, what, detail, reason) VALUES(?, ?, ?, ?, ?, ?)");
  h.bind(1, case_id);
  h.bind(2, static_cast<int64_t>(now_ms()));
  h.bind(3, by);
  h.bind(4, what);
  h.bind(5, detail);
  h.bind(6, reason);
  h.exec();
}

// Events name the case, the report and the region; never the official.
void Clarify::emit(const std::string& type, int64_t case_id, Doc extra) {
  auto& st = svc_.store().stmt("SELECT number, case_no, region, due FROM cases WHERE id = ?");
  st.bind(1, case_id);
  st.executeStep();
  Doc d{{"number", st.getColumn(0).getString()}, {"case_no", st.getColumn(1).getString()},
        {"region", st.getColumn(2).getString()}, {"due", st.getColumn(3).getString()}};
  st.reset();
  for (auto& [k, v] : extra.items()) d[k] = v;
  svc_.outbox().append(type, d["number"], d);
}

std::string Clarify::state_of(int64_t id) {
  auto& st = svc_.store().stmt("SELECT state FROM cases WHERE id = ?");
  st.bind(1, id);
  std::string s = st.executeStep() ? st.getColumn(0).getString() : "";
  st.reset();
  return s;
}

// A case is named by its number (CL…), or by the report's case number and
// the official's name.
Result<int64_t> Clarify::resolve(const Doc& body) {
  Problems p;
  Fields f(body, "body", p);
  auto c = f.text("case", true, 40);
  auto official = f.text("official", false, 60);
  if (!p.empty()) return p.error();
  auto& store = svc_.store();
  if (c->rfind("CL", 0) == 0) {
    auto& st = store.stmt("SELECT id FROM cases WHERE number = ?");
    st.bind(1, *c);
    std::optional<int64_t> id;
    if (st.executeStep()) id = st.getColumn(0).getInt64();
    st.reset();
    if (!id) return Error::make(code::kNotFound, "no clarification case " + *c);
    return *id;
  }
  auto& st = store.stmt("SELECT id, official FROM cases WHERE case_no = ? ORDER BY official_idx");
  st.bind(1, *c);
  std::vector<std::pair<int64_t, std::string>> found;
  while (st.executeStep()) found.emplace_back(st.getColumn(0).getInt64(), st.getColumn(1).getString());
  st.reset();
  if (found.empty()) return Error::make(code::kNotFound, "no clarification case for report " + *c);
  if (official) {
    for (const auto& [id, name] : found)
      if (crypto::normalise_name(name) == crypto::normalise_name(*official)) return id;
    return Error::make(code::kNotFound, "report " + *c + " has no clarification case for " + *official);
  }
  if (found.size() > 1) {
    std::string names;
    for (const auto& [id, name] : found) names += (names.empty() ? "" : ", ") + name;
    return Error::make(code::kInvalid, "report " + *c + " has " + std::to_string(found.size()) +
                                           " clarification cases (" + names + "): name the official (--official)");
  }
  return found[0].first;
}

// ---- consent and scheduling ---------------------------------------------

Result<Doc> Clarify::consent(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  Problems p;
  Fields f(r.body, "body", p);
  auto granted = f.boolean("granted", true);
  auto reason = f.text("reason", granted && !*granted, 1000, 2);
  if (!p.empty()) return p.error();
  std::string state = state_of(*id);
  if (state != "awaiting_consent")
    return Error::make(code::kConflict, "consent was already recorded: the case is " + state);
  auto& up = svc_.store().stmt(
      "UPDATE cases SET state = ?, outcome = ?, updated_at = ? WHERE id = ?");
  up.bind(1, *granted ? "to_schedule" : "closed");
  if (*granted) up.bind(2); else up.bind(2, "declined");
  up.bind(3, static_cast<int64_t>(now_ms()));
  up.bind(4, *id);
  up.exec();
  log(*id, r.who.name, *granted ? "consent granted" : "consent declined", "", reason.value_or(""));
  if (!*granted) emit("clarify.closed", *id, Doc{{"outcome", "declined"}, {"pending", true}});
  return case_doc(*id, false);
}

struct Clarify::Slot {
  std::string type, scope, day, start, end, venue, host, presenter, reason;
  int64_t expected = 0;
  int from = 0, to = 0;  // minutes
  Date date;
};

Result<Doc> Clarify::check_slot(const Slot& s, int64_t case_id, int64_t except_briefing) {
  const auto& cal = svc_.calendar();
  if (!cal.is_working_day(s.date)) {
    int wd = s.date.weekday();
    std::string why = wd >= 6 ? std::string("a ") + kWeekdays[wd] : "a public holiday";
    return Error::invalid({{"body.date", "date " + s.day + " is " + why + ": not a working day"}});
  }
  if (s.from < *minutes_of(settings_.day_start) || s.to > *minutes_of(settings_.day_end))
    return Error::invalid({{"body.start", "outside working hours " + settings_.day_start + "–" + settings_.day_end +
                                              " (asked " + s.start + "–" + s.end + ")"}});
  auto clash = [&](const char* column, const std::string& key, const std::string& what,
                   const std::string& shown) -> std::optional<Error> {
    if (key.empty()) return std::nullopt;
    auto& st = svc_.store().stmt(std::string("SELECT b.start, b.end, c.number FROM briefings b JOIN cases c ON c.id = b.case_id"
                                             " WHERE b.day = ? AND b.state = 'scheduled' AND b.id <> ? AND b.") +
                                 column + " = ? AND b.start < ? AND b.end > ? LIMIT 1");
    st.bind(1, s.day);
    st.bind(2, except_briefing);
    st.bind(3, key);
    st.bind(4, s.end);
    st.bind(5, s.start);
    std::optional<Error> e;
    if (st.executeStep())
      e = Error::make(code::kConflict, what + " " + shown + " is already booked " + st.getColumn(0).getString() + "–" +
                                           st.getColumn(1).getString() + " on " + s.day + " (" +
                                           st.getColumn(2).getString() + ")");
    st.reset();
    return e;
  };
  if (auto e = clash("venue_key", s.venue.empty() ? "" : crypto::normalise_name(s.venue), "venue", s.venue)) return *e;
  if (auto e = clash("presenter_key", crypto::normalise_name(s.presenter), "presenter", s.presenter)) return *e;
  auto& st = svc_.store().stmt("SELECT due FROM cases WHERE id = ?");
  st.bind(1, case_id);
  st.executeStep();
  std::string due = st.getColumn(0).getString();
  st.reset();
  if (s.day > due && s.reason.empty())
    return Error::make(code::kConflict, "date " + s.day + " is past the case's deadline " + due +
                                            ": give a reason (--reason) to schedule it late");
  return Doc::object();
}

Result<Doc> Clarify::schedule(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  Problems p;
  Fields f(r.body, "body", p);
  Slot s;
  auto type = f.label("type", true, settings_.types, "clarification type");
  auto scope = f.label("scope", true, settings_.scopes, "scope");
  auto day = f.text("date", true, 10);
  auto start = f.text("start", true, 5);
  auto end = f.text("end", true, 5);
  bool needs_venue = type && std::find(settings_.venue_free_types.begin(), settings_.venue_free_types.end(), *type) ==
                                 settings_.venue_free_types.end();
  auto venue = f.text("venue", needs_venue, 200);
  auto host = f.text("host", true, 200);
  auto presenter = f.text("presenter", true, 100);
  auto expected = f.integer("attendees", true, 0, 100000);
  auto reason = f.text("reason", false, 1000, 2);
  std::optional<Date> date = day ? Date::parse(*day) : std::nullopt;
  if (day && !date) p.add("body.date", "expected a date YYYY-MM-DD, got '" + *day + "'");
  // Minutes since midnight; false (and a problem noted) if malformed.
  auto read_time = [&](const std::optional<std::string>& v, const char* field, int& out) {
    if (!v) return false;
    auto m = minutes_of(*v);
    if (!m) p.add(std::string("body.") + field, "expected HH:MM, got '" + *v + "'");
    out = m.value_or(0);
    return m.has_value();
  };
  int from = 0, to = 0;
  bool start_ok = read_time(start, "start", from), end_ok = read_time(end, "end", to);
  bool times_ok = start_ok && end_ok;
  if (times_ok && from >= to) p.add("body.end", "must be after the start (" + *start + "–" + *end + ")");
  if (!p.empty()) return p.error();
  s = Slot{*type, *scope, *day, *start, *end, venue.value_or(""), *host, *presenter, reason.value_or(""), *expected,
           from, to, *date};
  std::string state = state_of(*id);
  if (state == "awaiting_consent")
    return Error::make(code::kConflict, "the official's consent is not recorded yet (cq clarify consent)");
  if (state != "to_schedule")
    return Error::make(code::kConflict, "the case is " + state + ": only a case with consent and no briefing is scheduled");
  auto ok = check_slot(s, *id, 0);
  if (!ok) return ok.error();
  Millis now = now_ms();
  std::string uid = crypto::random_code(80) + "@chengqing";
  for (auto& c : uid)
    if (c == '-') c = 'x';
  auto& ins = svc_.store().stmt(
      "INSERT INTO briefings(case_id, uid, state, type, scope, day, start, end, venue, venue_key, host, presenter,"
      " presenter_key, expected, late_reason, created_at, updated_at) VALUES(?,?,'scheduled',?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.bind(1, *id);
  ins.bind(2, uid);
  ins.bind(3, s.type);
  ins.bind(4, s.scope);
  ins.bind(5, s.day);
  ins.bind(6, s.start);
  ins.bind(7, s.end);
  ins.bind(8, s.venue);
  ins.bind(9, s.venue.empty() ? "" : crypto::normalise_name(s.venue));
  ins.bind(10, s.host);
  ins.bind(11, s.presenter);
  ins.bind(12, crypto::normalise_name(s.presenter));
  ins.bind(13, s.expected);
  if (s.reason.empty()) ins.bind(14); else ins.bind(14, s.reason);
  ins.bind(15, static_cast<int64_t>(now));
  ins.bind(16, static_cast<int64_t>(now));
  ins.exec();
  auto& up = svc_.store().stmt("UPDATE cases SET state = 'scheduled', updated_at = ? WHERE id = ?");
  up.bind(1, static_cast<int64_t>(now));
  up.bind(2, *id);
  up.exec();
  log(*id, r.who.name, "scheduled",
      Config::name_of(settings_.types, s.type) + ", " + Config::name_of(settings_.scopes, s.scope) + ", " + s.day + " " + s.start + "–" +
          s.end + (s.venue.empty() ? "" : ", " + s.venue) + ", presenter " + s.presenter,
      s.reason);
  emit("clarify.scheduled", *id, Doc{{"type", s.type}, {"scope", s.scope}, {"date", s.day}, {"start", s.start}, {"end", s.end}});
  return case_doc(*id, true);
}

Result<Doc> Clarify::reschedule(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  auto& cur = svc_.store().stmt(
      "SELECT id, type, scope, day, start, end, venue, host, presenter, expected FROM briefings WHERE case_id = ? AND state = 'scheduled'");
  cur.bind(1, *id);
  if (!cur.executeStep()) {
    cur.reset();
    return Error::make(code::kConflict, "the case has no scheduled briefing to move (it is " + state_of(*id) + ")");
  }
  int64_t bid = cur.getColumn(0).getInt64();
  Slot old{cur.getColumn(1).getString(), cur.getColumn(2).getString(), cur.getColumn(3).getString(),
           cur.getColumn(4).getString(), cur.getColumn(5).getString(), cur.getColumn(6).getString(),
           cur.getColumn(7).getString(), cur.getColumn(8).getString(), "", cur.getColumn(9).getInt64(), 0, 0, {}};
  cur.reset();
  Problems p;
  Fields f(r.body, "body", p);
  auto day = f.text("date", false, 10);
  auto start = f.text("start", false, 5);
  auto end = f.text("end", false, 5);
  auto venue = f.text("venue", false, 200);
  auto presenter = f.text("presenter", false, 100);
  auto reason = f.text("reason", true, 1000, 2);
  Slot s = old;
  if (day) s.day = *day;
  if (start) s.start = *start;
  if (end) s.end = *end;
  if (venue) s.venue = *venue;
  if (presenter) s.presenter = *presenter;
  auto date = Date::parse(s.day);
  if (!date) p.add("body.date", "expected a date YYYY-MM-DD, got '" + s.day + "'");
  auto from = minutes_of(s.start), to = minutes_of(s.end);
  if (!from) p.add("body.start", "expected HH:MM, got '" + s.start + "'");
  if (!to) p.add("body.end", "expected HH:MM, got '" + s.end + "'");
  if (from && to && *from >= *to) p.add("body.end", "must be after the start (" + s.start + "–" + s.end + ")");
  if (!day && !start && !end && !venue && !presenter) p.add("body", "nothing to change: give a new date, time, venue or presenter");
  if (!p.empty()) return p.error();
  s.date = *date;
  s.from = *from;
  s.to = *to;
  s.reason = *reason;  // also stands as the reason for a late date
  auto ok = check_slot(s, *id, bid);
  if (!ok) return ok.error();
  auto& up = svc_.store().stmt(
      "UPDATE briefings SET day = ?, start = ?, end = ?, venue = ?, venue_key = ?, presenter = ?, presenter_key = ?,"
      " sequence = sequence + 1, updated_at = ? WHERE id = ?");
  up.bind(1, s.day);
  up.bind(2, s.start);
  up.bind(3, s.end);
  up.bind(4, s.venue);
  up.bind(5, s.venue.empty() ? "" : crypto::normalise_name(s.venue));
  up.bind(6, s.presenter);
  up.bind(7, crypto::normalise_name(s.presenter));
  up.bind(8, static_cast<int64_t>(now_ms()));
  up.bind(9, bid);
  up.exec();
  log(*id, r.who.name, "rescheduled",
      "from " + old.day + " " + old.start + "–" + old.end + " " + old.venue + " (" + old.presenter + ") to " + s.day + " " +
          s.start + "–" + s.end + " " + s.venue + " (" + s.presenter + ")",
      *reason);
  emit("clarify.rescheduled", *id, Doc{{"date", s.day}, {"start", s.start}, {"end", s.end}});
  return case_doc(*id, true);
}

Result<Doc> Clarify::cancel(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  Problems p;
  Fields f(r.body, "body", p);
  auto reason = f.text("reason", true, 1000, 2);
  if (!p.empty()) return p.error();
  auto& up = svc_.store().stmt(
      "UPDATE briefings SET state = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE case_id = ? AND state = 'scheduled'");
  up.bind(1, static_cast<int64_t>(now_ms()));
  up.bind(2, *id);
  up.exec();
  if (svc_.store().db().getChanges() == 0)
    return Error::make(code::kConflict, "the case has no scheduled briefing to cancel (it is " + state_of(*id) + ")");
  auto& c = svc_.store().stmt("UPDATE cases SET state = 'to_schedule', updated_at = ? WHERE id = ?");
  c.bind(1, static_cast<int64_t>(now_ms()));
  c.bind(2, *id);
  c.exec();
  log(*id, r.who.name, "briefing cancelled", "the case is to be scheduled again", *reason);
  emit("clarify.cancelled", *id, Doc::object());
  return case_doc(*id, true);
}

Result<Doc> Clarify::held(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  Problems p;
  Fields f(r.body, "body", p);
  auto attendees = f.integer("attendees", true, 0, 100000);
  auto record = f.text("record", true, 4000, 2);
  if (!p.empty()) return p.error();
  auto& cur = svc_.store().stmt("SELECT id, day, type FROM briefings WHERE case_id = ? AND state = 'scheduled'");
  cur.bind(1, *id);
  if (!cur.executeStep()) {
    cur.reset();
    return Error::make(code::kConflict, "the case has no scheduled briefing (it is " + state_of(*id) + ")");
  }
  int64_t bid = cur.getColumn(0).getInt64();
  std::string day = cur.getColumn(1).getString();
  std::string type = cur.getColumn(2).getString();
  cur.reset();
  Date today = local_date(now_ms());
  if (*Date::parse(day) > today)
    return Error::make(code::kConflict, "the briefing is on " + day + ": it cannot be held before that day");
  auto& up = svc_.store().stmt("UPDATE briefings SET state = 'held', attendees = ?, record = ?, updated_at = ? WHERE id = ?");
  up.bind(1, *attendees);
  up.bind(2, *record);
  up.bind(3, static_cast<int64_t>(now_ms()));
  up.bind(4, bid);
  up.exec();
  std::string follow = svc_.calendar().add_working_days(*Date::parse(day), settings_.follow_up_days).str();
  auto& c = svc_.store().stmt("UPDATE cases SET state = 'held', follow_up_due = ?, updated_at = ? WHERE id = ?");
  c.bind(1, follow);
  c.bind(2, static_cast<int64_t>(now_ms()));
  c.bind(3, *id);
  c.exec();
  log(*id, r.who.name, "held", std::to_string(*attendees) + " attended; follow-up visit due " + follow, *record);
  emit("clarify.held", *id, Doc{{"date", day}, {"type", type}, {"attendees", *attendees}, {"follow_up_due", follow}});
  return case_doc(*id, true);
}

Result<Doc> Clarify::follow_up(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  Problems p;
  Fields f(r.body, "body", p);
  auto record = f.text("record", true, 4000, 2);
  if (!p.empty()) return p.error();
  std::string state = state_of(*id);
  if (state != "held")
    return Error::make(code::kConflict, "the case is " + state + ": a follow-up visit comes after the briefing is held");
  auto& c = svc_.store().stmt("UPDATE cases SET state = 'closed', outcome = 'clarified', updated_at = ? WHERE id = ?");
  c.bind(1, static_cast<int64_t>(now_ms()));
  c.bind(2, *id);
  c.exec();
  log(*id, r.who.name, "followed up", "the case is closed", *record);
  emit("clarify.followed_up", *id, Doc::object());
  emit("clarify.closed", *id, Doc{{"outcome", "clarified"}, {"pending", false}});
  return case_doc(*id, true);
}

// ---- views --------------------------------------------------------------

Doc Clarify::case_doc(int64_t id, bool full) {
  auto& store = svc_.store();
  const auto& cfg = svc_.config();
  std::string today = local_date(now_ms()).str();
  auto& st = store.stmt(
      "SELECT number, case_no, official, unit, post, region, conclusion, due, state, outcome, follow_up_due, opened_at"
      " FROM cases WHERE id = ?");
  st.bind(1, id);
  st.executeStep();
  std::string state = st.getColumn(8).getString();
  std::string due = st.getColumn(7).getString();
  std::string follow = st.getColumn(10).isNull() ? "" : st.getColumn(10).getString();
  // What the worklist shows: a held case whose follow-up date has come is "follow-up due".
  std::string shown = state == "held" && !follow.empty() && follow <= today ? "follow_up_due" : state;
  bool overdue = (state == "awaiting_consent" || state == "to_schedule") ? today > due
                 : state == "held"                                       ? !follow.empty() && today > follow
                                                                         : false;
  Doc d{{"number", st.getColumn(0).getString()},
        {"case_no", st.getColumn(1).getString()},
        {"official", st.getColumn(2).getString()},
        {"unit", st.getColumn(3).getString()},
        {"post", st.getColumn(4).getString()},
        {"region", st.getColumn(5).getString()},
        {"region_name", Config::name_of(cfg.regions, st.getColumn(5).getString())},
        {"conclusion", st.getColumn(6).getString()},
        {"due", due},
        {"state", shown},
        {"opened_at", format_local(st.getColumn(11).getInt64())}};
  if (!st.getColumn(9).isNull()) d["outcome"] = st.getColumn(9).getString();
  if (!follow.empty()) d["follow_up_due"] = follow;
  st.reset();
  Doc briefings = Doc::array();
  auto& b = store.stmt(
      "SELECT uid, state, type, scope, day, start, end, venue, host, presenter, expected, late_reason, sequence,"
      " attendees, record FROM briefings WHERE case_id = ? ORDER BY id");
  b.bind(1, id);
  while (b.executeStep()) {
    Doc x{{"uid", b.getColumn(0).getString()},  {"state", b.getColumn(1).getString()},
          {"type", b.getColumn(2).getString()}, {"type_name", Config::name_of(settings_.types, b.getColumn(2).getString())},
          {"scope", b.getColumn(3).getString()}, {"scope_name", Config::name_of(settings_.scopes, b.getColumn(3).getString())},
          {"date", b.getColumn(4).getString()}, {"start", b.getColumn(5).getString()},
          {"end", b.getColumn(6).getString()},  {"venue", b.getColumn(7).getString()},
          {"host", b.getColumn(8).getString()}, {"presenter", b.getColumn(9).getString()},
          {"attendees_expected", b.getColumn(10).getInt64()}, {"sequence", b.getColumn(12).getInt()}};
    if (!b.getColumn(11).isNull()) x["late_reason"] = b.getColumn(11).getString();
    if (!b.getColumn(13).isNull()) x["attendees"] = b.getColumn(13).getInt64();
    if (!b.getColumn(14).isNull()) x["record"] = b.getColumn(14).getString();
    if (x["state"] == "scheduled") {
      d["briefing_date"] = x["date"];
      if (x["date"].get<std::string>() > due) overdue = true;
    }
    briefings.push_back(std::move(x));
  }
  b.reset();
  d["overdue"] = overdue;
  if (!full) return d;
  d["briefings"] = std::move(briefings);
  Doc history = Doc::array();
  auto& h = store.stmt("SELECT at, by, what, detail, reason FROM history WHERE case_id = ? ORDER BY id");
  h.bind(1, id);
  while (h.executeStep())
    history.push_back(Doc{{"at", format_local(h.getColumn(0).getInt64())}, {"by", h.getColumn(1).getString()},
                          {"what", h.getColumn(2).getString()},       {"detail", h.getColumn(3).getString()},
                          {"reason", h.getColumn(4).getString()}});
  h.reset();
  d["history"] = std::move(history);
  return d;
}

Result<Doc> Clarify::list(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto state = f.text("state", false, 20);
  auto week = f.text("week", false, 10);
  auto region = f.label("region", false, svc_.config().regions, "region");
  auto limit = f.integer("limit", false, 1, 5000).value_or(500);
  if (state && std::find(kListStates.begin(), kListStates.end(), *state) == kListStates.end())
    p.add("body.state", "unknown state '" + *state +
                            "' (awaiting_consent, to_schedule, scheduled, held, follow_up_due, closed)");
  std::optional<IsoWeek> w = week ? IsoWeek::parse(*week) : std::nullopt;
  if (week && !w) p.add("body.week", "expected an ISO week like 2026-W48, got '" + *week + "'");
  if (!p.empty()) return p.error();
  std::vector<int64_t> ids;
  auto& st = svc_.store().stmt("SELECT id FROM cases WHERE (?1 IS NULL OR region = ?1) ORDER BY due, id");
  if (region) st.bind(1, *region); else st.bind(1);
  while (st.executeStep()) ids.push_back(st.getColumn(0).getInt64());
  st.reset();
  std::vector<Doc> items;
  for (int64_t id : ids) {
    Doc d = case_doc(id, false);
    if (state && d["state"] != *state) continue;
    if (!state && d["state"] == "closed" && !w) continue;  // the worklist: open cases unless asked
    if (w) {
      // In the week: its briefing falls in it, or, with none, its due date does.
      std::string day = d.contains("briefing_date") ? d["briefing_date"].get<std::string>() : d["due"].get<std::string>();
      auto date = Date::parse(day);
      if (!date || !(iso_week(*date) == *w)) continue;
    }
    items.push_back(std::move(d));
  }
  std::stable_sort(items.begin(), items.end(), [](const Doc& a, const Doc& b) {
    return a["overdue"].get<bool>() && !b["overdue"].get<bool>();
  });
  Doc out = Doc::array();
  for (auto& d : items) {
    if (static_cast<int64_t>(out.size()) >= limit) break;
    out.push_back(std::move(d));
  }
  return Doc{{"today", local_date(now_ms()).str()}, {"items", std::move(out)}};
}

Result<Doc> Clarify::show(const Request& r) {
  auto id = resolve(r.body);
  if (!id) return id.error();
  return case_doc(*id, true);
}

Result<Doc> Clarify::ics(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto week = f.text("week", false, 10);
  auto region = f.label("region", false, svc_.config().regions, "region");
  std::optional<IsoWeek> w = week ? IsoWeek::parse(*week) : std::nullopt;
  if (week && !w) p.add("body.week", "expected an ISO week like 2026-W48, got '" + *week + "'");
  if (!p.empty()) return p.error();
  std::string from = w ? w->monday().str() : "0000-00-00", to = w ? (w->monday() + 6).str() : "9999-99-99";
  auto& st = svc_.store().stmt(
      "SELECT b.uid, b.sequence, b.day, b.start, b.end, b.state, b.type, b.scope, b.venue, b.host, b.presenter,"
      " b.expected, b.updated_at, c.number, c.case_no, c.official, c.unit, c.region FROM briefings b JOIN cases c ON c.id = b.case_id"
      " WHERE b.day BETWEEN ? AND ? AND (? IS NULL OR c.region = ?) ORDER BY b.day, b.start, b.id");
  st.bind(1, from);
  st.bind(2, to);
  if (region) {
    st.bind(3, *region);
    st.bind(4, *region);
  } else {
    st.bind(3);
    st.bind(4);
  }
  std::vector<IcsEvent> events;
  std::string stamp = utc_stamp(now_ms());
  while (st.executeStep()) {
    IcsEvent e;
    e.uid = st.getColumn(0).getString();
    e.sequence = st.getColumn(1).getInt();
    e.day = st.getColumn(2).getString();
    e.start = st.getColumn(3).getString();
    e.end = st.getColumn(4).getString();
    e.cancelled = st.getColumn(5).getString() == "cancelled";
    std::string type = Config::name_of(settings_.types, st.getColumn(6).getString());
    e.summary = type + "：" + st.getColumn(15).getString() + "（" + st.getColumn(16).getString() + "） " +
                st.getColumn(13).getString();
    e.location = st.getColumn(8).getString();
    e.description = "澄清案件 " + st.getColumn(13).getString() + "，举报件 " + st.getColumn(14).getString() + "\n" +
                    "范围 scope: " + Config::name_of(settings_.scopes, st.getColumn(7).getString()) + "\n" +
                    "主办 host: " + st.getColumn(9).getString() + "\n" + "通报人 presenter: " + st.getColumn(10).getString() +
                    "\n" + "预计人数 expected attendees: " + std::to_string(st.getColumn(11).getInt64()) + "\n" +
                    "地区 region: " + Config::name_of(svc_.config().regions, st.getColumn(17).getString());
    e.stamp_utc = stamp;
    e.modified_utc = utc_stamp(st.getColumn(12).getInt64());
    events.push_back(std::move(e));
  }
  st.reset();
  return Doc{{"briefings", events.size()},
             {"calendar", ics_calendar(svc_.config().time_zone, utc_offset_minutes_now(), events)}};
}

}  // namespace cq::clarify
