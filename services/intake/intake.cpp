#include "intake.h"

#include <spdlog/spdlog.h>

#include "cq/fields.h"

namespace cq::intake {

namespace {

const std::set<std::string> kWriters = {role::kClerk, role::kAdmin};
const std::set<std::string> kReaders = {role::kClerk,      role::kOfficer,    role::kApprover,
                                        role::kClarifier,  role::kAccuserOfficer, role::kSupervisor,
                                        role::kAdmin,      role::kService};
// Who may read a reporter's identity: the clerk who must send the acceptance
// notice, and the handling officer; and the registry service on behalf of an
// accuser case officer, for a report concluded as false accusation. Every
// read is audited.
const std::set<std::string> kIdentityReaders = {role::kClerk, role::kOfficer, role::kService};

const char* status_label(const std::string& s) {
  if (s == "registered") return "受理登记 registered";
  if (s == "merged") return "重复件，登记后留存备查 repeat, kept on file";
  return "";
}

// Text reduced to what matters for "the same text sent again": no
// whitespace or ASCII/CJK punctuation.
std::string text_key(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      ++i;
      continue;
    }
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    std::string ch = s.substr(i, len);
    // CJK punctuation block (U+3000..U+303F) and full-width forms punctuation.
    bool punct = (len == 3 && (unsigned char)ch[0] == 0xE3 && (unsigned char)ch[1] == 0x80) ||
                 (len == 3 && (unsigned char)ch[0] == 0xEF && ((unsigned char)ch[1] == 0xBC || (unsigned char)ch[1] == 0xBD)) ||
                 (len == 3 && (unsigned char)ch[0] == 0xE2 && (unsigned char)ch[1] == 0x80);
    if (!punct) out += ch;
    i += len;
  }
  return out;
}

}  // namespace

Intake::Intake(Service& svc)
    : svc_(svc),
      identity_key_(svc.data_key("identity")),
      match_key_(svc.data_key("match")),
      query_key_(svc.data_key("query")) {
  svc_.on_rollback([this] { last_case_.clear(); });
  svc_.on("report.submit", kWriters, [this](const Request& r) { return prepare_submit(r); },
          [this](const Request& r) { return submit(r); });
  svc_.on("report.import", kWriters, [this](const Request& r) { return prepare_import(r); },
          [this](const Request& r) { return import(r); });
  svc_.on("report.get", kReaders, [this](const Request& r) { return get(r); });
  svc_.on("report.list", kReaders, [this](const Request& r) { return list(r); });
  svc_.on("report.status", {role::kClerk, role::kAdmin, role::kSupervisor}, [this](const Request& r) { return status(r); });
  svc_.on("report.identity", kIdentityReaders, [this](const Request& r) { return identity(r); });
}

// Case numbers run without gaps per year: the next one follows the highest
// stored (the UNIQUE index on case_no makes this one index probe).
std::string Intake::next_case_no(Millis at) {
  int year = local_date(at).year();
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "XF%04d-", year);
  auto cached = last_case_.find(year);
  if (cached == last_case_.end()) {
    auto& st = svc_.store().stmt("SELECT MAX(case_no) FROM reports WHERE case_no >= ? AND case_no < ?");
    st.bind(1, std::string(prefix));
    st.bind(2, std::string(prefix, 6) + ".");  // '.' sorts right after '-'
    long long last = 0;
    if (st.executeStep() && !st.getColumn(0).isNull()) last = std::stoll(st.getColumn(0).getString().substr(7));
    st.reset();
    cached = last_case_.emplace(year, last).first;
  }
  long long n = ++cached->second;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%06lld", prefix, n);
  return buf;
}

std::optional<std::string> Intake::find_external(const std::string& external_id) {
  auto& st = svc_.store().stmt("SELECT case_no FROM reports WHERE external_id = ?");
  st.bind(1, external_id);
  if (st.executeStep()) return st.getColumn(0).getString();
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> Intake::find_duplicate(const Prepared& p) {
  const ReportInput& in = p.in;
  const std::string& text_hash = p.text_hash;
  // No ORDER BY: the indexes used, (text_hash, received_at) and
  // (hash, report_id), already give the earliest match first, and a sort
  // would cost a temporary b-tree on every submission.
  int64_t w = int64_t(svc_.config().intake.duplicate_window_days) * 86400000;
  auto original = [](SQLite::Statement& st) {
    std::string dup_of = st.getColumn(1).isNull() ? "" : st.getColumn(1).getString();
    return dup_of.empty() ? st.getColumn(0).getString() : dup_of;
  };
  if (!text_hash.empty()) {
    auto& st = svc_.store().stmt(
        "SELECT case_no, duplicate_of FROM reports WHERE text_hash = ? AND received_at BETWEEN ? AND ? LIMIT 1");
    st.bind(1, text_hash);
    st.bind(2, in.received_at - w);
    st.bind(3, in.received_at + w);
    if (st.executeStep()) return std::make_pair(original(st), std::string("same_text"));
  }
  for (const auto& [kind, h] : p.reporter_keys)
    for (const auto& a : p.accused_keys) {
      auto& st = svc_.store().stmt(
          "SELECT r.case_no, r.duplicate_of FROM reporter_keys k JOIN reports r ON r.id = k.report_id"
          " WHERE k.hash = ? AND r.category = ? AND r.received_at BETWEEN ? AND ?"
          " AND EXISTS(SELECT 1 FROM accused x WHERE x.report_id = r.id AND x.accused_key = ?)"
          " LIMIT 1");
      st.bind(1, h);
      st.bind(2, in.category);
      st.bind(3, in.received_at - w);
      st.bind(4, in.received_at + w);
      st.bind(5, a);
      if (st.executeStep()) return std::make_pair(original(st), std::string("same_reporter_accused_category"));
    }
  return std::nullopt;
}

Result<std::shared_ptr<Intake::Prepared>> Intake::prepare(const Doc& body, const std::string& path,
                                                          bool need_external_id) {
  auto in = parse_report(body, svc_.config(), path, now_ms());
  if (!in) return in.error();
  if (need_external_id && in->external_id.empty())
    return Error::invalid({{path + ".external_id", "missing: every imported line needs an external_id, so that importing the same file again adds nothing"}});
  auto p = std::make_shared<Prepared>();
  p->in = std::move(*in);
  const ReportInput& r = p->in;
  if (!r.reporter.id_number.empty())
    p->reporter_keys.emplace_back("id", crypto::keyed_hash(match_key_, "reporter.id", r.reporter.id_number));
  if (!r.reporter.phone.empty())
    p->reporter_keys.emplace_back("phone", crypto::keyed_hash(match_key_, "reporter.phone", r.reporter.phone));
  for (const auto& a : r.accused)
    p->accused_keys.push_back(crypto::keyed_hash(match_key_, "accused",
                                                 crypto::normalise_name(a.name) + "|" + crypto::normalise_name(a.unit)));
  std::string tk = text_key(r.summary + r.details);
  if (utf8_length(tk) >= 20) p->text_hash = crypto::keyed_hash(match_key_, "text", tk);
  p->specifics_json = r.specifics.dump();
  if (r.reporter.has_identity()) p->sealed_identity = crypto::seal(identity_key_, r.reporter.to_doc().dump());
  p->query_code = crypto::random_code(80);
  p->query_hash = crypto::keyed_hash(query_key_, "query", crypto::normalise_code(p->query_code));
  p->sealed_code = crypto::seal(identity_key_, p->query_code);
  if (!r.reporter.anonymous)
    p->ack_due = svc_.calendar()
                     .add_working_days(local_date(r.received_at), svc_.config().deadline("acceptance_notice", 15))
                     .str();
  Doc accused = Doc::array();
  for (const auto& a : r.accused) accused.push_back(a.to_doc());
  Doc reporter_keys = Doc::object();
  for (const auto& [kind, h] : p->reporter_keys) reporter_keys[kind] = h;
  // The event carries what downstream services need and no identity: only
  // keyed hashes of the reporter's identifiers, for matching.
  p->event = encode(Doc{{"channel", r.channel},
                 {"received_at", r.received_at},
                 {"real_name", !r.reporter.anonymous},
                 {"reporter_keys", std::move(reporter_keys)},
                 {"category", r.category},
                 {"region", r.accused.front().region},
                 {"accused", std::move(accused)},
                 {"summary", r.summary},
                 {"details", r.details},
                 {"specifics", r.specifics},
                 {"forwarded_from", r.forwarded_from},
                 {"text_hash", p->text_hash}});
  return p;
}

Result<std::shared_ptr<void>> Intake::prepare_submit(const Request& r) {
  auto p = prepare(r.body, "body", false);
  if (!p) return p.error();
  return std::static_pointer_cast<void>(*p);
}

Result<std::shared_ptr<void>> Intake::prepare_import(const Request& r) {
  Problems problems;
  Fields f(r.body, "body", problems);
  auto items = f.array("items", true, svc_.config().intake.max_import_batch, 1);
  if (!items) return problems.error();
  auto out = std::make_shared<PreparedImport>();
  for (std::size_t i = 0; i < items->size(); ++i) {
    Problems ip;
    Fields it((*items)[i], "body.items[" + std::to_string(i) + "]", ip);
    auto line = it.integer("line", true, 1, INT64_MAX);
    const Doc* report = it.map("report", true);
    out->lines.push_back(line.value_or(static_cast<int64_t>(i + 1)));
    if (!ip.empty()) out->items.push_back(ip.error());
    else out->items.push_back(prepare(*report, "report", true));
  }
  return std::static_pointer_cast<void>(out);
}

// The store-thread part: repeats, the case number, the rows, the event.
Intake::Saved Intake::save(const Prepared& p, const Principal& who) {
  auto& store = svc_.store();
  const ReportInput& in = p.in;
  Millis now = now_ms();
  Saved s;
  auto dup = find_duplicate(p);
  s.case_no = next_case_no(now);
  s.query_code = p.query_code;
  s.status = dup ? "merged" : "registered";
  if (dup) {
    s.duplicate_of = dup->first;
    s.duplicate_reason = dup->second;
  }
  // A repeat starts no deadline: no acceptance notice is due for it.
  const std::string ack_due = dup ? "" : p.ack_due;

  auto& ins = store.stmt(
      "INSERT INTO reports(case_no, external_id, channel, received_at, registered_at, registered_by, real_name,"
      " category, region, summary, details, specifics, forwarded_from, text_hash, status, duplicate_of,"
      " duplicate_reason, query_hash, ack_due) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  int i = 1;
  auto opt = [&](const std::string& v) {
    if (v.empty()) ins.bind(i++);
    else ins.bindNoCopy(i++, v);  // every string here outlives exec()
  };
  ins.bind(i++, s.case_no);
  opt(in.external_id);
  ins.bindNoCopy(i++, in.channel);
  ins.bind(i++, in.received_at);
  ins.bind(i++, now);
  ins.bindNoCopy(i++, who.name);
  ins.bind(i++, in.reporter.anonymous ? 0 : 1);
  ins.bindNoCopy(i++, in.category);
  ins.bindNoCopy(i++, in.accused.front().region);
  ins.bindNoCopy(i++, in.summary);
  ins.bindNoCopy(i++, in.details);
  ins.bindNoCopy(i++, p.specifics_json);
  ins.bindNoCopy(i++, in.forwarded_from);
  opt(p.text_hash);
  ins.bindNoCopy(i++, s.status);
  opt(s.duplicate_of);
  opt(s.duplicate_reason);
  ins.bindNoCopy(i++, p.query_hash);
  opt(ack_due);
  ins.exec();
  int64_t id = store.db().getLastInsertRowid();

  for (std::size_t k = 0; k < in.accused.size(); ++k) {
    const auto& a = in.accused[k];
    auto& st = store.stmt("INSERT INTO accused(report_id, idx, name, unit, post, level, region, accused_key) VALUES(?,?,?,?,?,?,?,?)");
    st.bind(1, id);
    st.bind(2, static_cast<int>(k));
    st.bindNoCopy(3, a.name);
    st.bindNoCopy(4, a.unit);
    st.bindNoCopy(5, a.post);
    st.bindNoCopy(6, a.level);
    st.bindNoCopy(7, a.region);
    st.bindNoCopy(8, p.accused_keys[k]);
    st.exec();
  }
  if (!p.sealed_identity.empty()) {
    auto& st = store.stmt("INSERT INTO reporter_identity(report_id, sealed) VALUES(?, ?)");
    st.bind(1, id);
    st.bindNoCopy(2, p.sealed_identity.data(), static_cast<int>(p.sealed_identity.size()));
    st.exec();
  }
  for (const auto& [kind, h] : p.reporter_keys) {
    auto& st = store.stmt("INSERT INTO reporter_keys(report_id, kind, hash) VALUES(?,?,?)");
    st.bind(1, id);
    st.bindNoCopy(2, kind);
    st.bindNoCopy(3, h);
    st.exec();
  }
  Doc late{{"case_no", s.case_no}, {"registered_at", now}};
  if (dup) {
    late["duplicate_of"] = s.duplicate_of;
    late["duplicate_reason"] = s.duplicate_reason;
  } else if (!ack_due.empty()) {
    late["ack_due"] = ack_due;
  }
  svc_.outbox().append_encoded(dup ? "report.merged" : "report.received", s.case_no, extend_map(p.event, late));
  spdlog::debug("registered case={} status={} channel={} by={}", s.case_no, s.status, in.channel, who.name);
  return s;
}

Doc Intake::saved_doc(const Saved& s) {
  Doc d{{"case_no", s.case_no}, {"status", s.status}, {"status_label", status_label(s.status)}};
  if (!s.query_code.empty()) d["query_code"] = s.query_code;
  if (!s.duplicate_of.empty()) {
    d["duplicate_of"] = s.duplicate_of;
    d["duplicate_reason"] = s.duplicate_reason;
  }
  if (s.existing) d["existing"] = true;
  return d;
}

Result<Doc> Intake::submit(const Request& r) {
  auto& store = svc_.store();
  {
    auto& st = store.stmt(
        "SELECT s.case_no, s.sealed_code, r.status, r.duplicate_of, r.duplicate_reason FROM submissions s"
        " JOIN reports r ON r.case_no = s.case_no WHERE s.user = ? AND s.request_id = ?");
    st.bind(1, r.who.name);
    st.bind(2, r.id);
    if (st.executeStep()) {  // a retry of a request we already saved
      Saved s;
      s.case_no = st.getColumn(0).getString();
      auto c = st.getColumn(1);
      s.query_code = crypto::open(identity_key_, std::string(static_cast<const char*>(c.getBlob()), c.getBytes())).value_or("");
      s.status = st.getColumn(2).getString();
      s.duplicate_of = st.getColumn(3).isNull() ? "" : st.getColumn(3).getString();
      s.duplicate_reason = st.getColumn(4).isNull() ? "" : st.getColumn(4).getString();
      Doc d = saved_doc(s);
      d["replayed"] = true;
      return d;
    }
  }
  const auto& p = *std::static_pointer_cast<Prepared>(r.prepared);
  if (!p.in.external_id.empty())
    if (auto existing = find_external(p.in.external_id)) {
      Saved s;
      s.case_no = *existing;
      s.status = "existing";
      s.existing = true;
      return saved_doc(s);
    }
  Saved s = save(p, r.who);
  auto& st = store.stmt("INSERT INTO submissions(user, request_id, case_no, sealed_code) VALUES(?,?,?,?)");
  st.bindNoCopy(1, r.who.name);
  st.bindNoCopy(2, r.id);
  st.bindNoCopy(3, s.case_no);
  st.bindNoCopy(4, p.sealed_code.data(), static_cast<int>(p.sealed_code.size()));
  st.exec();
  return saved_doc(s);
}

Result<Doc> Intake::import(const Request& r) {
  const auto& prepared = *std::static_pointer_cast<PreparedImport>(r.prepared);
  Doc results = Doc::array();
  int saved = 0, existing = 0, failed = 0;
  for (std::size_t i = 0; i < prepared.items.size(); ++i) {
    const auto& item = prepared.items[i];
    Doc res{{"line", prepared.lines[i]}};
    if (!item) {
      res["ok"] = false;
      res["errors"] = Doc::array();
      for (const auto& e : item.error().fields) res["errors"].push_back({{"path", e.path}, {"reason", e.reason}});
      ++failed;
    } else if (auto ex = find_external((*item)->in.external_id)) {
      res["ok"] = true;
      res["case_no"] = *ex;
      res["existing"] = true;
      ++existing;
    } else {
      Saved s = save(**item, r.who);
      res["ok"] = true;
      res["case_no"] = s.case_no;
      res["status"] = s.status;
      if (!s.duplicate_of.empty()) res["duplicate_of"] = s.duplicate_of;
      ++saved;
    }
    results.push_back(std::move(res));
  }
  return Doc{{"saved", saved}, {"existing", existing}, {"failed", failed}, {"results", results}};
}

namespace {

Doc accused_of(Store& store, int64_t id) {
  Doc out = Doc::array();
  auto& st = store.stmt("SELECT name, unit, post, level, region FROM accused WHERE report_id = ? ORDER BY idx");
  st.bind(1, id);
  while (st.executeStep())
    out.push_back({{"name", st.getColumn(0).getString()}, {"unit", st.getColumn(1).getString()},
                   {"post", st.getColumn(2).getString()}, {"level", st.getColumn(3).getString()},
                   {"region", st.getColumn(4).getString()}});
  return out;
}

std::optional<std::string> case_no_of(const Request& r, Problems& p) {
  Fields f(r.body, "body", p);
  return f.text("case_no", true, 40);
}

}  // namespace

Result<Doc> Intake::get(const Request& r) {
  Problems p;
  auto case_no = case_no_of(r, p);
  if (!p.empty()) return p.error();
  auto& store = svc_.store();
  auto& st = store.stmt(
      "SELECT r.id, r.case_no, r.external_id, r.channel, r.received_at, r.registered_at, r.registered_by,"
      " r.real_name, r.category, r.region, r.summary, r.details, r.specifics, r.forwarded_from, r.status,"
      " r.duplicate_of, r.duplicate_reason, r.ack_due, (SELECT COUNT(*) FROM reporter_identity i WHERE i.report_id = r.id)"
      " FROM reports r WHERE r.case_no = ?");
  st.bind(1, *case_no);
  if (!st.executeStep()) return Error::make(code::kNotFound, "no report with case number " + *case_no);
  auto opt = [&](int c) { return st.getColumn(c).isNull() ? Doc(nullptr) : Doc(st.getColumn(c).getString()); };
  int64_t id = st.getColumn(0).getInt64();
  std::string status = st.getColumn(14).getString();
  Doc d{{"case_no", st.getColumn(1).getString()},
        {"external_id", opt(2)},
        {"channel", st.getColumn(3).getString()},
        {"received_at", format_local(st.getColumn(4).getInt64())},
        {"registered_at", format_local(st.getColumn(5).getInt64())},
        {"registered_by", st.getColumn(6).getString()},
        {"reporter", {{"real_name", st.getColumn(7).getInt() != 0}, {"identity_on_file", st.getColumn(18).getInt() != 0}}},
        {"category", st.getColumn(8).getString()},
        {"region", st.getColumn(9).getString()},
        {"summary", st.getColumn(10).getString()},
        {"details", st.getColumn(11).getString()},
        {"specifics", Doc::parse(st.getColumn(12).getString())},
        {"forwarded_from", st.getColumn(13).getString()},
        {"status", status},
        {"status_label", status_label(status)},
        {"duplicate_of", opt(15)},
        {"duplicate_reason", opt(16)},
        {"ack_due", opt(17)}};
  st.reset();
  d["accused"] = accused_of(store, id);
  Doc dups = Doc::array();
  auto& ds = store.stmt("SELECT case_no FROM reports WHERE duplicate_of = ? ORDER BY id");
  ds.bind(1, *case_no);
  while (ds.executeStep()) dups.push_back(ds.getColumn(0).getString());
  d["duplicates"] = dups;
  return d;
}

Result<Doc> Intake::identity(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto case_no = f.text("case_no", true, 40);
  auto purpose = f.text("purpose", true, 200, 2);
  bool by_service = r.who.role == role::kService;
  auto on_behalf = f.text("on_behalf_of", by_service, 80);
  if (!p.empty()) return p.error();
  if (by_service && r.who.name != "registry")
    return Error::make(code::kForbidden, "the " + r.who.name + " service may not read reporters' identities");
  auto& st = svc_.store().stmt(
      "SELECT r.real_name, i.sealed FROM reports r LEFT JOIN reporter_identity i ON i.report_id = r.id WHERE r.case_no = ?");
  st.bind(1, *case_no);
  if (!st.executeStep()) return Error::make(code::kNotFound, "no report with case number " + *case_no);
  bool real_name = st.getColumn(0).getInt() != 0;
  Doc identity = nullptr;
  if (!st.getColumn(1).isNull()) {
    auto c = st.getColumn(1);
    auto plain = crypto::open(identity_key_, std::string(static_cast<const char*>(c.getBlob()), c.getBytes()));
    if (!plain) return Error::make(code::kInternal, "the identity record of " + *case_no + " cannot be decrypted with this key");
    identity = Doc::parse(*plain);
  }
  st.reset();
  std::string reader = by_service ? r.who.name + " for " + *on_behalf : r.who.name;
  svc_.audit().record(reader, r.who.role, "reporter.identity.read", *case_no, *purpose);
  spdlog::info("identity read case={} by={} (audited)", *case_no, reader);
  return Doc{{"case_no", *case_no}, {"real_name", real_name}, {"identity", identity}, {"audited", true}};
}

Result<Doc> Intake::status(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto code = f.text("query_code", true, 40);
  if (!p.empty()) return p.error();
  auto& st = svc_.store().stmt("SELECT status, received_at, registered_at, ack_due FROM reports WHERE query_hash = ?");
  st.bind(1, crypto::keyed_hash(query_key_, "query", crypto::normalise_code(*code)));
  if (!st.executeStep()) return Error::make(code::kNotFound, "no report with this query code");
  std::string status = st.getColumn(0).getString();
  // Status and dates only: nothing that identifies anyone.
  Doc d{{"status", status},
        {"status_label", status_label(status)},
        {"received_on", local_date(st.getColumn(1).getInt64()).str()},
        {"registered_on", local_date(st.getColumn(2).getInt64()).str()}};
  if (!st.getColumn(3).isNull()) d["acceptance_notice_due"] = st.getColumn(3).getString();
  return d;
}

Result<Doc> Intake::list(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  const auto& cfg = svc_.config();
  auto channel = f.label("channel", false, cfg.channels, "channel");
  auto category = f.label("category", false, cfg.categories, "allegation category");
  auto region = f.label("region", false, cfg.regions, "region");
  auto status = f.text("status", false, 20);
  if (status && *status != "registered" && *status != "merged")
    p.add("body.status", "unknown status '" + *status + "' (known: registered, merged)");
  auto real_name = f.boolean("real_name", false);
  auto from = f.time("from", false);
  auto to = f.time("to", false);
  auto limit = f.integer("limit", false, 1, 500).value_or(50);
  auto cursor = f.integer("cursor", false, 0, INT64_MAX);
  if (!p.empty()) return p.error();
  std::string sql = "SELECT id, case_no, channel, received_at, real_name, category, region, summary, status, duplicate_of FROM reports WHERE 1=1";
  if (channel) sql += " AND channel = :channel";
  if (category) sql += " AND category = :category";
  if (region) sql += " AND region = :region";
  if (status) sql += " AND status = :status";
  if (real_name) sql += " AND real_name = :real_name";
  if (from) sql += " AND received_at >= :from";
  if (to) sql += " AND received_at < :to";
  if (cursor) sql += " AND id < :cursor";
  sql += " ORDER BY id DESC LIMIT :limit";
  auto& st = svc_.store().stmt(sql);
  if (channel) st.bind(":channel", *channel);
  if (category) st.bind(":category", *category);
  if (region) st.bind(":region", *region);
  if (status) st.bind(":status", *status);
  if (real_name) st.bind(":real_name", *real_name ? 1 : 0);
  if (from) st.bind(":from", *from);
  if (to) st.bind(":to", *to);
  if (cursor) st.bind(":cursor", *cursor);
  st.bind(":limit", static_cast<int>(limit + 1));
  Doc items = Doc::array();
  std::vector<int64_t> ids;
  while (st.executeStep()) {
    ids.push_back(st.getColumn(0).getInt64());
    items.push_back({{"case_no", st.getColumn(1).getString()},
                     {"channel", st.getColumn(2).getString()},
                     {"received_at", format_local(st.getColumn(3).getInt64())},
                     {"real_name", st.getColumn(4).getInt() != 0},
                     {"category", st.getColumn(5).getString()},
                     {"region", st.getColumn(6).getString()},
                     {"summary", st.getColumn(7).getString()},
                     {"status", st.getColumn(8).getString()},
                     {"duplicate_of", st.getColumn(9).isNull() ? Doc(nullptr) : Doc(st.getColumn(9).getString())}});
  }
  st.reset();
  Doc next = nullptr;
  if (static_cast<int64_t>(items.size()) > limit) {
    items.erase(items.size() - 1);
    ids.pop_back();
    next = ids.back();
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    Doc names = Doc::array();
    for (const auto& a : accused_of(svc_.store(), ids[i])) names.push_back(a["name"]);
    items[i]["accused"] = names;
  }
  return Doc{{"items", items}, {"next_cursor", next}};
}

}  // namespace cq::intake
