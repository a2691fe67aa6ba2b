// intake: registers petitions and reports (受理登记). See docs/protocol.md.
#include "cq/service.h"
#include "intake.h"
#include "schema.h"

int main(int argc, char** argv) {
  std::unique_ptr<cq::intake::Intake> intake;
  return cq::service_main(argc, argv, "intake", cq::intake::migrations(),
                          [&](cq::Service& svc) { intake = std::make_unique<cq::intake::Intake>(svc); });
}
