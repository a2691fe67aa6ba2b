// triage: explained suggestions for every report (分类研判). See docs/protocol.md.
#include "cq/service.h"
#include "schema.h"
#include "triage.h"

int main(int argc, char** argv) {
  std::unique_ptr<cq::triage::Triage> triage;
  return cq::service_main(argc, argv, "triage", cq::triage::migrations(),
                          [&](cq::Service& svc) { triage = std::make_unique<cq::triage::Triage>(svc); });
}
