// cq-bench: benchmarks that report figures as ratios against a baseline
// measured in the same run (these machines are noisy).
#include <cstdio>
#include <cstring>

#include "bench.h"
#include "cq/calendar.h"
#include "cq/crypto.h"
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  cq::set_process_time_zone("Asia/Shanghai");
  cq::crypto::init();
  spdlog::set_level(spdlog::level::warn);  // the figures, not the stores' migration notes
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::printf("usage: cq-bench intake [--rounds N] [--reports N] [--clients N] [--window N] [--rate R] [--seconds S]\n"
                "       cq-bench triage [--replays N] [--clients N] [--window N] [--paced-seconds S] [--paced-share F]\n"
                "       cq-bench stats [--reports N] [--live N]\n");
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "intake") == 0) return cq::bench::bench_intake(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "triage") == 0) return cq::bench::bench_triage(argc - 1, argv + 1);
  if (std::strcmp(argv[1], "stats") == 0) return cq::bench::bench_stats(argc - 1, argv + 1);
  std::fprintf(stderr, "cq-bench: unknown benchmark '%s'\n", argv[1]);
  return 2;
}
