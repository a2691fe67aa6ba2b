#include <doctest/doctest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cq/log.h"

namespace fs = std::filesystem;

TEST_CASE("log: lines go to <dir>/<name>.log at the configured level, and a bad directory does not throw") {
  fs::path dir = fs::temp_directory_path() / ("cq-log-" + std::to_string(::getpid()));
  cq::log::init("unit", dir, "info");
  spdlog::info("case={} registered", "XF2026-000001");
  spdlog::debug("this is below the level");
  spdlog::default_logger()->flush();
  std::ifstream in(dir / "unit.log");
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str().find("unit info case=XF2026-000001 registered") != std::string::npos);
  CHECK(ss.str().find("below the level") == std::string::npos);
  // A file where the directory should be: logging falls back to stderr.
  fs::path blocked = dir / "blocked";
  { std::ofstream(blocked) << "x"; }
  CHECK_NOTHROW(cq::log::init("unit2", blocked / "sub", "warn"));
  CHECK_NOTHROW(spdlog::warn("still logging"));
  cq::log::init("unit", "", "info");
  fs::remove_all(dir);
}
