// registry: the authors of concluded false accusations (诬告陷害), with due
// process and anonymised typical cases. See docs/protocol.md.
#include "cq/service.h"
#include "registry.h"
#include "schema.h"

int main(int argc, char** argv) {
  std::unique_ptr<cq::registry::Registry> registry;
  return cq::service_main(argc, argv, "registry", cq::registry::migrations(),
                          [&](cq::Service& svc) { registry = std::make_unique<cq::registry::Registry>(svc); });
}
