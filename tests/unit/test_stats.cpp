// How events count (services/stats/counting): weeks in the configured time
// zone, the ISO week 53 / week 1 edge, and overdue deltas.
#include <doctest/doctest.h>

#include "counting.h"

using namespace cq;
using namespace cq::stats;

namespace {
Config config() {
  auto cfg = load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  REQUIRE(cfg.ok());
  set_process_time_zone(cfg->time_zone);
  return *cfg;
}
Event received(const std::string& when, const std::string& region = "nanhu") {
  Event e;
  e.type = "report.received";
  e.at = *parse_time(when);
  e.data = Doc{{"received_at", *parse_time(when)}, {"region", region}, {"channel", "letter"}, {"real_name", true}};
  return e;
}
int64_t at(const Tally& t, int week, const std::string& region, const std::string& metric) {
  auto it = t.find({week, region, metric});
  return it == t.end() ? 0 : it->second;
}
}  // namespace

TEST_CASE("counting: Sunday 23:30 and Monday 00:30 Beijing time are different weeks, whatever the offset written") {
  Config cfg = config();
  Counter c(cfg);
  Tally counts, overdue;
  c.count("intake", received("2026-11-15T23:30:00+08:00"), counts, overdue);
  c.count("intake", received("2026-11-16T00:30:00+08:00"), counts, overdue);
  c.count("intake", received("2026-11-15T16:30:00Z"), counts, overdue);  // Monday 00:30 in Beijing
  CHECK(at(counts, 202646, "nanhu", "received") == 1);
  CHECK(at(counts, 202647, "nanhu", "received") == 2);
  CHECK(at(counts, 202647, "nanhu", "channel.letter") == 2);
  CHECK(at(counts, 202647, "nanhu", "received.real_name") == 2);
}

TEST_CASE("counting: the ISO week 53 / week 1 edge") {
  Config cfg = config();
  Counter c(cfg);
  Tally counts, overdue;
  c.count("intake", received("2021-01-03T23:30:00+08:00"), counts, overdue);
  c.count("intake", received("2021-01-04T00:30:00+08:00"), counts, overdue);
  CHECK(at(counts, 202053, "nanhu", "received") == 1);
  CHECK(at(counts, 202101, "nanhu", "received") == 1);
  CHECK(previous_week(202101) == 202053);
  CHECK(previous_week(202701) == 202653);  // 2026 has 53 ISO weeks
  CHECK(previous_week(202601) == 202552);
  CHECK(week_key(iso_week(*Date::parse("2026-12-31"))) == 202653);
}

TEST_CASE("counting: overdue is +1 from the due week and -1 from the week the work is done") {
  Config cfg = config();
  Counter c(cfg);
  Tally counts, overdue;
  // Received Monday 2026-11-02: triage is due five working days later (Monday 11-09, W46).
  c.count("intake", received("2026-11-02T10:00:00+08:00"), counts, overdue);
  CHECK(at(overdue, 202646, "nanhu", "triage") == 1);
  Event d;
  d.type = "report.decided";
  d.at = *parse_time("2026-11-20T10:00:00+08:00");  // W47
  d.data = Doc{{"region", "nanhu"}, {"class", "vague"}, {"overridden", true}, {"triage_due", "2026-11-09"}};
  c.count("triage", d, counts, overdue);
  CHECK(at(overdue, 202647, "nanhu", "triage") == -1);
  CHECK(at(counts, 202647, "nanhu", "decided.vague") == 1);
  CHECK(at(counts, 202647, "nanhu", "decided.overridden") == 1);
  // Decided before it was due: the -1 lands in the due week and cancels the +1.
  Tally o2;
  c.count("intake", received("2026-11-02T10:00:00+08:00"), counts, o2);
  d.at = *parse_time("2026-11-03T10:00:00+08:00");
  c.count("triage", d, counts, o2);
  CHECK(at(o2, 202646, "nanhu", "triage") == 0);
  // A suggestion re-scored by a rerun is not a new suggestion.
  Event t;
  t.type = "report.triaged";
  t.at = d.at;
  t.data = Doc{{"region", "nanhu"}, {"class", "vague"}, {"rerun", true}};
  Tally c3, o3;
  c.count("triage", t, c3, o3);
  CHECK(c3.empty());
}
