#include <doctest/doctest.h>

#include "cq/calendar.h"

using cq::Date;

TEST_CASE("calendar: dates parse, and impossible dates do not") {
  CHECK(Date::parse("2026-11-23")->str() == "2026-11-23");
  CHECK(Date::parse("2024-02-29").has_value());
  CHECK_FALSE(Date::parse("2025-02-29").has_value());
  CHECK_FALSE(Date::parse("2026-02-30").has_value());
  CHECK_FALSE(Date::parse("2026-13-01").has_value());
  CHECK_FALSE(Date::parse("2026-1-01").has_value());
  CHECK(Date::parse("2026-11-23")->weekday() == 1);
  CHECK(Date::parse("2026-09-20")->weekday() == 7);
  CHECK(Date::from_ymd(1970, 1, 1).days() == 0);
}

TEST_CASE("calendar: ISO weeks, including week 53 and the year edge") {
  auto wk = [](const char* s) { return cq::iso_week(*Date::parse(s)).str(); };
  CHECK(wk("2026-11-23") == "2026-W48");
  CHECK(wk("2026-11-22") == "2026-W47");
  CHECK(wk("2026-12-31") == "2026-W53");
  CHECK(wk("2027-01-01") == "2026-W53");
  CHECK(wk("2027-01-04") == "2027-W01");
  CHECK(wk("2024-12-30") == "2025-W01");
  CHECK(wk("2021-01-03") == "2020-W53");
  CHECK(cq::IsoWeek::parse("2026-W53").has_value());
  CHECK_FALSE(cq::IsoWeek::parse("2025-W53").has_value());  // 2025 has 52 weeks
  CHECK(cq::IsoWeek::parse("2026-W48")->monday().str() == "2026-11-23");
  CHECK(cq::IsoWeek::parse("2026-W01")->monday().str() == "2025-12-29");
}

TEST_CASE("calendar: Sunday 23:30 and Monday 00:30 Beijing time fall in different weeks") {
  cq::set_process_time_zone("Asia/Shanghai");
  auto sun = *cq::parse_time("2026-11-22T23:30:00+08:00");
  auto mon = *cq::parse_time("2026-11-23T00:30:00+08:00");
  CHECK(cq::iso_week(cq::local_date(sun)).str() == "2026-W47");
  CHECK(cq::iso_week(cq::local_date(mon)).str() == "2026-W48");
  // The same instants in UTC are both Sunday: the zone decides.
  cq::set_process_time_zone("UTC");
  CHECK(cq::iso_week(cq::local_date(mon)).str() == "2026-W47");
  cq::set_process_time_zone("Asia/Shanghai");
  // A local time without offset is read in the process zone.
  CHECK(*cq::parse_time("2026-11-23T00:30") == mon);
  CHECK(cq::format_local(mon) == "2026-11-23T00:30:00+08:00");
  CHECK_FALSE(cq::parse_time("2026-11-23T24:00").has_value());
  CHECK_FALSE(cq::parse_time("2026-11-31").has_value());
}

TEST_CASE("calendar: working days skip holidays and count make-up weekend days (调休)") {
  cq::Calendar cal({"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                    "2026-10-06", "2026-10-07"},
                   {"2026-09-20", "2026-10-10"});
  auto d = [](const char* s) { return *Date::parse(s); };
  CHECK(cal.add_working_days(d("2026-09-30"), 1).str() == "2026-10-08");
  CHECK(cal.add_working_days(d("2026-09-30"), 2).str() == "2026-10-09");
  CHECK(cal.add_working_days(d("2026-09-30"), 3).str() == "2026-10-10");  // a Saturday, made a workday
  CHECK(cal.add_working_days(d("2026-09-18"), 1).str() == "2026-09-20");  // a Sunday, made a workday
  CHECK(cal.add_working_days(d("2026-11-20"), 1).str() == "2026-11-23");  // plain weekend skipped
  CHECK_FALSE(cal.is_working_day(d("2026-10-03")));
  CHECK(cal.is_working_day(d("2026-10-10")));
  CHECK(cal.working_days_between(d("2026-09-30"), d("2026-10-10")) == 3);
  CHECK(cal.working_days_between(d("2026-10-10"), d("2026-09-30")) == -3);
  // 15 working days from an ordinary Monday is three weeks later.
  CHECK(cal.add_working_days(d("2026-11-23"), 15).str() == "2026-12-14");
}
