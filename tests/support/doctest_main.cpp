// The doctest main shared by the unit and integration tests: fixes the time
// zone (tests assume Asia/Shanghai) and initialises libsodium.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "cq/calendar.h"
#include "cq/crypto.h"

int main(int argc, char** argv) {
  cq::set_process_time_zone("Asia/Shanghai");
  cq::crypto::init();
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
