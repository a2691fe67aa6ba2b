// What the weekly counts are, and how each event counts: a pure module (no
// database), so the live service, the rebuild and the tests agree.
//
// Counts are kept by ISO week (Monday first, in the configured time zone),
// region and metric. Work overdue at a week's end is kept as deltas: an item
// due on day D adds +1 from the week of D and -1 from the week it was done,
// so "overdue at the end of week W" is the sum of deltas up to W.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "cq/calendar.h"
#include "cq/config.h"
#include "cq/outbox.h"

namespace cq::stats {

// 2026-W47 as 202647: ordered like the weeks.
int week_key(const IsoWeek& w);
IsoWeek week_of_key(int key);
int previous_week(int key);
int week_of_day(Date d);

struct Metric {
  std::string id, section, zh, en;
  bool snapshot = false;  // overdue at week's end: no year-to-date sum
};
// Every metric in report order, with the configured channels and actions.
std::vector<Metric> catalogue(const Config& cfg);

// (week, region, metric) -> n; (week, region, kind) -> delta.
using Tally = std::map<std::tuple<int, std::string, std::string>, int64_t>;

class Counter {
 public:
  explicit Counter(const Config& cfg);
  // Adds what one event counts to `counts` and `overdue`.
  void count(const std::string& source, const Event& e, Tally& counts, Tally& overdue) const;

 private:
  Calendar calendar_;
  int triage_days_;
};

}  // namespace cq::stats
