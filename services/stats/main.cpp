// stats: weekly counts for supervisors. See docs/protocol.md.
#include "cq/service.h"
#include "schema.h"
#include "stats.h"

int main(int argc, char** argv) {
  std::unique_ptr<cq::stats::Stats> stats;
  return cq::service_main(argc, argv, "stats", cq::stats::migrations(),
                          [&](cq::Service& svc) { stats = std::make_unique<cq::stats::Stats>(svc); });
}
