#include "cq/calendar.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <regex>

namespace cq {

namespace {

// Days from civil date (Gregorian), after the well-known era-based algorithm.
int days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(int z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int yy = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yy + (m <= 2);
}

int days_in_month(int y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}

}  // namespace

Date Date::from_ymd(int y, int m, int d) { return from_days(days_from_civil(y, m, d)); }

std::optional<Date> Date::parse(const std::string& s) {
  int y, m, d;
  char tail;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return std::nullopt;
  return from_ymd(y, m, d);
}

int Date::year() const { int y, m, d; civil_from_days(days_, y, m, d); return y; }
int Date::month() const { int y, m, d; civil_from_days(days_, y, m, d); return m; }
int Date::day() const { int y, m, d; civil_from_days(days_, y, m, d); return d; }
int Date::weekday() const {
  int w = (days_ + 3) % 7;  // 1970-01-01 was a Thursday (ISO 4)
  if (w < 0) w += 7;
  return w + 1;
}

std::string Date::str() const {
  int y, m, d;
  civil_from_days(days_, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

IsoWeek iso_week(Date d) {
  Date thursday = d + (4 - d.weekday());
  int y = thursday.year();
  int yday = thursday.days() - Date::from_ymd(y, 1, 1).days();
  return IsoWeek{y, yday / 7 + 1};
}

std::string IsoWeek::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

Date IsoWeek::monday() const {
  Date jan4 = Date::from_ymd(year, 1, 4);
  Date week1 = jan4 + (1 - jan4.weekday());
  return week1 + (week - 1) * 7;
}

std::optional<IsoWeek> IsoWeek::parse(const std::string& s) {
  static const std::regex re(R"(^(\d{4})-W(\d{2})$)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  IsoWeek w{std::stoi(m[1]), std::stoi(m[2])};
  if (w.week < 1 || w.week > 53) return std::nullopt;
  if (iso_week(w.monday()).year != w.year) return std::nullopt;  // no week 53 that year
  return w;
}

Millis now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool time_zone_exists(const std::string& zone) {
  if (zone.empty() || zone.find("..") != std::string::npos || zone[0] == '/') return false;
  if (zone == "UTC") return true;
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone);
}

void set_process_time_zone(const std::string& zone) {
  ::setenv("TZ", zone.c_str(), 1);
  ::tzset();
}

Date local_date(Millis t) {
  std::time_t s = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  std::tm tm{};
  ::localtime_r(&s, &tm);
  return Date::from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string format_local(Millis t) {
  std::time_t s = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  std::tm tm{};
  ::localtime_r(&s, &tm);
  long off = tm.tm_gmtoff;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
                std::labs(off) / 3600, (std::labs(off) % 3600) / 60);
  return buf;
}

namespace {
// Reads exactly n digits at s[i]; advances i.
bool digits(const std::string& s, std::size_t& i, int n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  i += n;
  return true;
}
}  // namespace

std::optional<Millis> parse_time(const std::string& s) {
  if (s.size() < 10) return std::nullopt;
  auto date = Date::parse(s.substr(0, 10));
  if (!date) return std::nullopt;
  std::size_t i = 10;
  int hh = 0, mi = 0, ss = 0;
  bool has_offset = false;
  long off = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return std::nullopt;
    ++i;
    if (!digits(s, i, 2, hh) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, ss)) return std::nullopt;
    }
    if (i < s.size()) {
      has_offset = true;
      if (s[i] == 'Z') {
        ++i;
      } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i++] == '-' ? -1 : 1, oh, om;
        if (!digits(s, i, 2, oh) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, om)) return std::nullopt;
        if (oh > 14 || om > 59) return std::nullopt;
        off = sign * (oh * 3600L + om * 60L);
      } else {
        return std::nullopt;
      }
      if (i != s.size()) return std::nullopt;
    }
  }
  if (hh > 23 || mi > 59 || ss > 59) return std::nullopt;
  if (has_offset) {
    int64_t secs = int64_t(date->days()) * 86400 + hh * 3600 + mi * 60 + ss - off;
    return secs * 1000;
  }
  std::tm tm{};
  tm.tm_year = date->year() - 1900;
  tm.tm_mon = date->month() - 1;
  tm.tm_mday = date->day();
  tm.tm_hour = hh;
  tm.tm_min = mi;
  tm.tm_sec = ss;
  tm.tm_isdst = -1;
  std::time_t t = ::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return int64_t(t) * 1000;
}

Calendar::Calendar(const std::vector<std::string>& holidays,
                   const std::vector<std::string>& workdays) {
  for (const auto& h : holidays)
    if (auto d = Date::parse(h)) holidays_.insert(d->days());
  for (const auto& w : workdays)
    if (auto d = Date::parse(w)) workdays_.insert(d->days());
}

bool Calendar::is_working_day(Date d) const {
  if (workdays_.count(d.days())) return true;
  if (holidays_.count(d.days())) return false;
  return d.weekday() <= 5;
}

Date Calendar::add_working_days(Date d, int n) const {
  while (n > 0) {
    d = d + 1;
    if (is_working_day(d)) --n;
  }
  return d;
}

int Calendar::working_days_between(Date from, Date to) const {
  if (to < from) return -working_days_between(to, from);
  int n = 0;
  for (Date d = from + 1; d <= to; d = d + 1)
    if (is_working_day(d)) ++n;
  return n;
}

}  // namespace cq
