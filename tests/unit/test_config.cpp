#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "cq/config.h"

namespace {
std::string shipped() {
  std::ifstream in(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
cq::Error bad(const std::string& text) {
  auto r = cq::parse_config(text, "/tmp", "t.toml");
  REQUIRE_FALSE(r.ok());
  return r.error();
}
bool names(const cq::Error& e, const std::string& key, const std::string& reason_part) {
  for (const auto& f : e.fields)
    if (f.path.find(key) != std::string::npos && f.reason.find(reason_part) != std::string::npos) return true;
  return false;
}
std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}
}  // namespace

TEST_CASE("config: the shipped file loads with its documented defaults") {
  auto r = cq::load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(r->time_zone == "Asia/Shanghai");
  CHECK(r->service("intake").request == "tcp://127.0.0.1:7101");
  CHECK(r->deadline("acceptance_notice", 0) == 15);
  CHECK(r->deadline("forward", 0) == 5);
  CHECK(r->channels.size() == 5);
  CHECK(cq::Config::find(r->categories, "corruption")->name == "贪污贿赂");
  // "A..B" ranges expand; make-up days are kept.
  CHECK(std::count(r->holidays.begin(), r->holidays.end(), "2026-10-04") == 1);
  CHECK(std::count(r->workdays.begin(), r->workdays.end(), "2026-10-10") == 1);
  CHECK(r->data_dir.is_absolute());
}

TEST_CASE("config: each problem names its key") {
  auto s = shipped();
  CHECK(names(bad(replace(s, "tcp://127.0.0.1:7101", "localhost:7101")), "services.intake.request", "ZeroMQ endpoint"));
  CHECK(names(bad(replace(s, "Asia/Shanghai\"", "Mars/Olympus\"")), "time_zone", "unknown time zone"));
  CHECK(names(bad(replace(s, "\"2026-01-04\"", "\"2026-02-30\"")), "calendar.workdays[0]", "not a valid date"));
  CHECK(names(bad(replace(s, "acceptance_notice = 15", "acceptance_notice = \"15\"")), "deadlines.acceptance_notice", "integer"));
  CHECK(names(bad(replace(s, "code = \"visit\"", "code = \"letter\"")), "channels[1].code", "duplicate"));
  CHECK(names(bad("servcies = 1\n" + s), "servcies", "unknown key"));
  CHECK(names(bad(replace(s, "duplicate_window_days = 90", "duplicate_window_days = -1")), "intake.duplicate_window_days", "between"));
  auto syntax = bad("data_dir = \n");
  CHECK(syntax.fields.at(0).path.find("t.toml:1:") == 0);
}

TEST_CASE("config: a deployment file layers over the defaults with base =") {
  auto r = cq::load_config(std::string(CQ_SOURCE_DIR) + "/config/docker.toml");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(r->service("intake").request == "tcp://intake:7101");
  CHECK(r->service("intake").bind_request == "tcp://0.0.0.0:7101");
  CHECK(r->data_dir == "/var/lib/chengqing/data");
  CHECK(r->categories.size() == 7);  // inherited
  CHECK(r->deadline("acceptance_notice", 0) == 15);
  auto missing = cq::parse_config("base = \"nope.toml\"\n", "/tmp", "t.toml");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().fields.at(0).reason.find("cannot read") == 0);
}
