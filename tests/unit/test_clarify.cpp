// The iCalendar writer and clarify's settings.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "clarify.h"
#include "cq/config.h"
#include "ics.h"

using namespace cq::clarify;

TEST_CASE("ics: text values are escaped") {
  CHECK(ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne");
  CHECK(ics_escape("会议室，三楼") == "会议室，三楼");  // a full-width comma is not special
}

TEST_CASE("ics: long lines fold at 75 octets without splitting a UTF-8 character") {
  std::string line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) line += "澄";  // 3 octets each
  std::string folded = ics_fold(line);
  std::string unfolded;
  std::size_t pos = 0;
  int lines = 0;
  while (pos < folded.size()) {
    std::size_t eol = folded.find("\r\n", pos);
    REQUIRE(eol != std::string::npos);
    std::string part = folded.substr(pos, eol - pos);
    CHECK(part.size() <= 75);
    if (lines > 0) {
      REQUIRE(part[0] == ' ');
      part = part.substr(1);
    }
    // Each physical line is valid UTF-8 on its own: it starts on a lead byte.
    CHECK((static_cast<unsigned char>(part[0]) & 0xC0) != 0x80);
    unfolded += part;
    pos = eol + 2;
    ++lines;
  }
  CHECK(lines > 1);
  CHECK(unfolded == line);
  CHECK(ics_fold("SHORT:1") == "SHORT:1\r\n");
}

TEST_CASE("ics: a calendar with a time zone, a confirmed and a cancelled event") {
  IcsEvent a{"u1@chengqing", 0, "2026-11-25", "09:00", "10:30", "会议澄清", "会议室", "d", false, "20261123T010203Z", ""};
  IcsEvent b = a;
  b.uid = "u2@chengqing";
  b.cancelled = true;
  b.sequence = 2;
  std::string cal = ics_calendar("Asia/Shanghai", 480, {a, b});
  CHECK(cal.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0) == 0);
  CHECK(cal.find("TZOFFSETTO:+0800\r\n") != std::string::npos);
  CHECK(cal.find("DTSTART;TZID=Asia/Shanghai:20261125T090000\r\n") != std::string::npos);
  CHECK(cal.find("DTEND;TZID=Asia/Shanghai:20261125T103000\r\n") != std::string::npos);
  CHECK(cal.find("UID:u2@chengqing\r\nSEQUENCE:2\r\n") != std::string::npos);
  CHECK(cal.find("STATUS:CANCELLED\r\n") != std::string::npos);
  CHECK(cal.find("STATUS:CONFIRMED\r\n") != std::string::npos);
  CHECK(ics_offset(-330) == "-0530");
}

TEST_CASE("clarify settings: types, scopes, hours and follow-up from the configuration; mistakes named") {
  auto cfg = cq::load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  REQUIRE(cfg.ok());
  auto s = settings_from_config(*cfg);
  REQUIRE(s.ok());
  CHECK(s->types.size() == 4);
  CHECK(s->scopes.size() == 4);
  CHECK(s->venue_free_types == std::vector<std::string>{"written", "public_notice"});
  CHECK(s->day_start == "08:30");
  CHECK(s->follow_up_days == 20);
  auto file = std::filesystem::temp_directory_path() / ("cq-clarify-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(file);
    out << "base = \"" << CQ_SOURCE_DIR << "/config/chengqing.toml\"\n"
        << "[clarify]\nworking_hours = { start = \"18:00\", end = \"09:00\" }\nfollow_up_working_days = 0\n";
  }
  auto bad = cq::load_config(file);
  std::filesystem::remove(file);
  REQUIRE(bad.ok());
  auto r = settings_from_config(*bad);
  REQUIRE_FALSE(r.ok());
  std::set<std::string> paths;
  for (const auto& e : r.error().fields) paths.insert(e.path);
  CHECK(paths == std::set<std::string>{"clarify.working_hours", "clarify.follow_up_working_days"});
}
