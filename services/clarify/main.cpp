// clarify: clarification for officials falsely or wrongly accused (澄清正名),
// from consent to briefing to follow-up visit. See docs/protocol.md.
#include "clarify.h"
#include "cq/service.h"
#include "schema.h"

int main(int argc, char** argv) {
  std::unique_ptr<cq::clarify::Clarify> clarify;
  return cq::service_main(argc, argv, "clarify", cq::clarify::migrations(),
                          [&](cq::Service& svc) { clarify = std::make_unique<cq::clarify::Clarify>(svc); });
}
