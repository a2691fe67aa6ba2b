// The stats service: weekly counts by ISO week, region and metric from every
// service's events, for supervisors. Holds counts only.
#pragma once

#include "counting.h"
#include "cq/service.h"

namespace cq::stats {

class Stats {
 public:
  explicit Stats(Service& svc);

 private:
  void flush(bool commit);
  Result<Doc> weekly(const Request& r);
  Result<Doc> rebuild(const Request& r);
  Result<Doc> status(const Request& r);
  // metric -> value for one week (or the sum over [from, to]).
  std::map<std::string, int64_t> sums(int from, int to, const std::optional<std::string>& region);
  std::map<std::string, int64_t> overdue_at(int week, const std::optional<std::string>& region);

  Service& svc_;
  Counter counter_;
  std::vector<Metric> metrics_;
  Tally counts_, overdue_;  // gathered over a page, written at its end
};

}  // namespace cq::stats
