#include "stats.h"

#include <spdlog/spdlog.h>

#include "cq/fields.h"

namespace cq::stats {

namespace {
const std::set<std::string> kReaders = {role::kSupervisor, role::kAdmin, role::kOfficer, role::kApprover,
                                        role::kClarifier, role::kAccuserOfficer};
const std::vector<std::string> kSources = {"intake", "triage", "clarify", "registry"};
}  // namespace

Stats::Stats(Service& svc) : svc_(svc), counter_(svc.config()), metrics_(catalogue(svc.config())) {
  for (const auto& source : kSources)
    if (svc.config().services.count(source))
      svc_.consume(
          source, [this, source](const Event& e) { counter_.count(source, e, counts_, overdue_); },
          [this](bool commit) { flush(commit); });
  svc_.on("stats.weekly", kReaders, [this](const Request& r) { return weekly(r); });
  svc_.on("stats.status", kReaders, [this](const Request& r) { return status(r); });
  svc_.on("stats.rebuild", {role::kSupervisor, role::kAdmin}, [this](const Request& r) { return rebuild(r); });
}

// A page's counts, written once per (week, region, metric).
void Stats::flush(bool commit) {
  if (commit) {
    auto& c = svc_.store().stmt(
        "INSERT INTO counts(week, region, metric, n) VALUES(?, ?, ?, ?)"
        " ON CONFLICT(week, region, metric) DO UPDATE SET n = n + excluded.n");
    for (const auto& [k, n] : counts_) {
      c.bind(1, std::get<0>(k));
      c.bind(2, std::get<1>(k));
      c.bind(3, std::get<2>(k));
      c.bind(4, n);
      c.exec();
      c.reset();
    }
    auto& o = svc_.store().stmt(
        "INSERT INTO overdue_delta(week, region, kind, n) VALUES(?, ?, ?, ?)"
        " ON CONFLICT(region, kind, week) DO UPDATE SET n = n + excluded.n");
    for (const auto& [k, n] : overdue_) {
      if (n == 0) continue;
      o.bind(1, std::get<0>(k));
      o.bind(2, std::get<1>(k));
      o.bind(3, std::get<2>(k));
      o.bind(4, n);
      o.exec();
      o.reset();
    }
  }
  counts_.clear();
  overdue_.clear();
}

std::map<std::string, int64_t> Stats::sums(int from, int to, const std::optional<std::string>& region) {
  auto& st = svc_.store().stmt(
      "SELECT metric, SUM(n) FROM counts WHERE week BETWEEN ?1 AND ?2 AND (?3 IS NULL OR region = ?3) GROUP BY metric");
  st.bind(1, from);
  st.bind(2, to);
  if (region) st.bind(3, *region); else st.bind(3);
  std::map<std::string, int64_t> out;
  while (st.executeStep()) out[st.getColumn(0).getString()] = st.getColumn(1).getInt64();
  st.reset();
  return out;
}

std::map<std::string, int64_t> Stats::overdue_at(int week, const std::optional<std::string>& region) {
  auto& st = svc_.store().stmt(
      "SELECT kind, SUM(n) FROM overdue_delta WHERE week <= ?1 AND (?2 IS NULL OR region = ?2) GROUP BY kind");
  st.bind(1, week);
  if (region) st.bind(2, *region); else st.bind(2);
  std::map<std::string, int64_t> out;
  int64_t total = 0;
  while (st.executeStep()) {
    int64_t n = st.getColumn(1).getInt64();
    out["overdue." + st.getColumn(0).getString()] = n;
    total += n;
  }
  st.reset();
  out["overdue.total"] = total;
  return out;
}

Result<Doc> Stats::weekly(const Request& r) {
  Problems p;
  Fields f(r.body, "body", p);
  auto week_s = f.text("week", false, 10);
  auto region = f.label("region", false, svc_.config().regions, "region");
  auto weeks = f.integer("weeks", false, 1, 104).value_or(1);
  std::optional<IsoWeek> w;
  if (week_s) {
    w = IsoWeek::parse(*week_s);
    if (!w) p.add("body.week", "expected an ISO week like 2026-W47 (and a week that year has), got '" + *week_s + "'");
  }
  if (!p.empty()) return p.error();
  // Default: the last complete week.
  if (!w) w = iso_week(local_date(now_ms()) + -7);
  int key = week_key(*w);
  int prev = previous_week(key);
  int year_start = w->year * 100 + 1;
  auto cur = sums(key, key, region), before = sums(prev, prev, region), ytd = sums(year_start, key, region);
  auto od = overdue_at(key, region), od_prev = overdue_at(prev, region);
  Doc rows = Doc::array();
  for (const auto& m : metrics_) {
    auto get = [&](const std::map<std::string, int64_t>& from) {
      auto it = from.find(m.id);
      return it == from.end() ? int64_t{0} : it->second;
    };
    int64_t v = m.snapshot ? get(od) : get(cur), pv = m.snapshot ? get(od_prev) : get(before);
    Doc row{{"metric", m.id}, {"section", m.section}, {"zh", m.zh}, {"en", m.en},
            {"value", v},     {"previous", pv},       {"change", v - pv}};
    row["ytd"] = m.snapshot ? Doc(nullptr) : Doc(get(ytd));
    rows.push_back(std::move(row));
  }
  Date monday = w->monday();
  Doc out{{"week", w->str()},
          {"from", monday.str()},
          {"to", (monday + 6).str()},
          {"previous_week", week_of_key(prev).str()},
          {"region", region.value_or("")},
          {"region_name", region ? Config::find(svc_.config().regions, *region)->name : "全部地区 all regions"},
          {"time_zone", svc_.config().time_zone},
          {"rows", std::move(rows)}};
  if (weeks > 1) {
    std::vector<int> keys{key};
    while (static_cast<int>(keys.size()) < weeks) keys.insert(keys.begin(), previous_week(keys.front()));
    Doc labels = Doc::array();
    Doc series = Doc::object();
    for (const auto& m : metrics_) series[m.id] = Doc::array();
    for (int k : keys) {
      labels.push_back(week_of_key(k).str());
      auto c = sums(k, k, region), o = overdue_at(k, region);
      for (const auto& m : metrics_) {
        const auto& from = m.snapshot ? o : c;
        auto it = from.find(m.id);
        series[m.id].push_back(it == from.end() ? int64_t{0} : it->second);
      }
    }
    out["weeks"] = labels;
    out["series"] = series;
  }
  Doc progress = svc_.consumer_progress();
  bool rebuilding = false;
  for (const auto& [s, pr] : progress.items())
    if (pr["applied"].get<int64_t>() < pr["head"].get<int64_t>()) rebuilding = true;
  out["catching_up"] = rebuilding;
  return out;
}

Result<Doc> Stats::rebuild(const Request& r) {
  auto& db = svc_.store().db();
  db.exec("DELETE FROM counts");
  db.exec("DELETE FROM overdue_delta");
  db.exec("DELETE FROM cursors");
  auto& st = svc_.store().stmt("INSERT INTO rebuilds(at, by) VALUES(?, ?)");
  st.bind(1, static_cast<int64_t>(now_ms()));
  st.bind(2, r.who.name);
  st.exec();
  svc_.audit().record(r.who.name, r.who.role, "stats.rebuild", "", "recount every aggregate from the event histories");
  svc_.rewind_consumers();
  spdlog::info("stats rebuild started by {}", r.who.name);
  return Doc{{"started", true}, {"sources", svc_.consumer_progress()}};
}

Result<Doc> Stats::status(const Request&) {
  Doc progress = svc_.consumer_progress();
  int64_t applied = 0, head = 0;
  for (const auto& [s, pr] : progress.items()) {
    applied += pr["applied"].get<int64_t>();
    head += pr["head"].get<int64_t>();
  }
  auto& st = svc_.store().stmt("SELECT at, by FROM rebuilds ORDER BY id DESC LIMIT 1");
  Doc last = nullptr;
  if (st.executeStep()) last = Doc{{"at", format_local(st.getColumn(0).getInt64())}, {"by", st.getColumn(1).getString()}};
  st.reset();
  return Doc{{"sources", progress}, {"applied", applied}, {"head", head}, {"caught_up", applied >= head},
             {"last_rebuild", last}};
}

}  // namespace cq::stats
