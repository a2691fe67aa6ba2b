// Dates, local time and working days. Every deadline in this domain is in
// working days: public holidays are skipped and weekend days declared
// make-up working days (调休) count. Weeks are ISO weeks (Monday first) in the
// configured time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cq {

// A civil date (proleptic Gregorian), stored as days since 1970-01-01.
class Date {
 public:
  Date() = default;
  static Date from_days(int days) { Date d; d.days_ = days; return d; }
  static Date from_ymd(int y, int m, int d);
  // Parses "YYYY-MM-DD"; nullopt if malformed or impossible (2026-02-30).
  static std::optional<Date> parse(const std::string& s);
  int days() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  int weekday() const;  // ISO: Monday = 1 ... Sunday = 7
  std::string str() const;  // YYYY-MM-DD
  Date operator+(int n) const { return from_days(days_ + n); }
  auto operator<=>(const Date&) const = default;

 private:
  int days_ = 0;
};

// An ISO week: the week-numbering year and week 1..53.
struct IsoWeek {
  int year = 0;
  int week = 0;
  std::string str() const;  // "2026-W47"
  static std::optional<IsoWeek> parse(const std::string& s);
  Date monday() const;
  auto operator<=>(const IsoWeek&) const = default;
};
IsoWeek iso_week(Date d);

// Milliseconds since the Unix epoch (UTC).
using Millis = int64_t;
Millis now_ms();

// True if /usr/share/zoneinfo knows the zone.
bool time_zone_exists(const std::string& zone);
// Makes `zone` the process's local time zone (services run in one zone).
void set_process_time_zone(const std::string& zone);
// The local date of an instant, in the process time zone.
Date local_date(Millis t);
// "2026-11-23T09:30:00+08:00" for an instant, in the process time zone.
std::string format_local(Millis t);
// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (local) or with "Z"/"+08:00".
// A date alone means local midnight. nullopt if malformed or impossible.
std::optional<Millis> parse_time(const std::string& s);

// Working-day arithmetic over a configured holiday calendar.
class Calendar {
 public:
  Calendar() = default;
  Calendar(const std::vector<std::string>& holidays, const std::vector<std::string>& workdays);
  bool is_working_day(Date d) const;
  // The date that is n working days after d (d itself not counted).
  Date add_working_days(Date d, int n) const;
  // Working days in (from, to]; negative if to < from.
  int working_days_between(Date from, Date to) const;

 private:
  std::set<int> holidays_, workdays_;
};

}  // namespace cq
