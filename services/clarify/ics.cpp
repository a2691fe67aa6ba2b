#include "ics.h"

#include <cstdio>

namespace cq::clarify {

std::string ics_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string ics_fold(const std::string& line) {
  std::string out;
  std::size_t i = 0, limit = 75;  // the first line 75 octets; continuations start with a space
  while (line.size() - i > limit) {
    std::size_t cut = i + limit;
    while (cut > i && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.append(line, i, cut - i);
    out += "\r\n ";
    i = cut;
    limit = 74;
  }
  out.append(line, i, std::string::npos);
  out += "\r\n";
  return out;
}

std::string ics_offset(int minutes) {
  char buf[16];
  int a = minutes < 0 ? -minutes : minutes;
  std::snprintf(buf, sizeof buf, "%c%02d%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

namespace {
std::string local_stamp(const std::string& day, const std::string& hhmm) {
  // YYYY-MM-DD + HH:MM -> YYYYMMDDTHHMM00
  return day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2) + "T" + hhmm.substr(0, 2) + hhmm.substr(3, 2) + "00";
}
}  // namespace

std::string ics_calendar(const std::string& tzid, int utc_offset_minutes, const std::vector<IcsEvent>& events) {
  std::string out;
  auto line = [&](const std::string& l) { out += ics_fold(l); };
  line("BEGIN:VCALENDAR");
  line("VERSION:2.0");
  line("PRODID:-//Chengqing//clarify//ZH");
  line("CALSCALE:GREGORIAN");
  line("METHOD:PUBLISH");
  line("X-WR-CALNAME:澄清通报 clarification briefings");
  line("BEGIN:VTIMEZONE");
  line("TZID:" + tzid);
  line("BEGIN:STANDARD");
  line("DTSTART:19700101T000000");
  line("TZOFFSETFROM:" + ics_offset(utc_offset_minutes));
  line("TZOFFSETTO:" + ics_offset(utc_offset_minutes));
  line("END:STANDARD");
  line("END:VTIMEZONE");
  for (const auto& e : events) {
    line("BEGIN:VEVENT");
    line("UID:" + e.uid);
    line("SEQUENCE:" + std::to_string(e.sequence));
    line("DTSTAMP:" + e.stamp_utc);
    if (!e.modified_utc.empty()) line("LAST-MODIFIED:" + e.modified_utc);
    line("DTSTART;TZID=" + tzid + ":" + local_stamp(e.day, e.start));
    line("DTEND;TZID=" + tzid + ":" + local_stamp(e.day, e.end));
    line("SUMMARY:" + ics_escape(e.summary));
    if (!e.location.empty()) line("LOCATION:" + ics_escape(e.location));
    if (!e.description.empty()) line("DESCRIPTION:" + ics_escape(e.description));
    line(std::string("STATUS:") + (e.cancelled ? "CANCELLED" : "CONFIRMED"));
    line("TRANSP:OPAQUE");
    line("END:VEVENT");
  }
  line("END:VCALENDAR");
  return out;
}

}  // namespace cq::clarify
