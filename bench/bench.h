// Shared bits of the benchmarks.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cluster.h"
#include "cq/codec.h"

namespace cq::bench {

using Clock = std::chrono::steady_clock;

// Submits every body to intake: one client per list, each keeping `window`
// requests in flight. Returns what was acknowledged and how long it took.
struct Submitted {
  int acked = 0, failed = 0;
  double seconds = 0;
};
Submitted submit_all(test::Cluster& c, const std::string& user, const std::vector<std::vector<Doc>>& bodies, int window);

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The p-th percentile (0..100) of samples, in the samples' unit.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int bench_intake(int argc, char** argv);
int bench_triage(int argc, char** argv);
int bench_stats(int argc, char** argv);

}  // namespace cq::bench
