// A small iCalendar (RFC 5545) writer for briefings: text escaping, line
// folding at 75 octets without splitting a UTF-8 character, CRLF endings,
// a VTIMEZONE for the configured zone (China keeps one offset all year).
#pragma once

#include <string>
#include <vector>

namespace cq::clarify {

struct IcsEvent {
  std::string uid;          // stable for a briefing across reschedules and exports
  int sequence = 0;         // bumped by every reschedule or cancellation
  std::string day;          // YYYY-MM-DD, local
  std::string start, end;   // HH:MM, local
  std::string summary, location, description;
  bool cancelled = false;
  std::string stamp_utc;    // YYYYMMDDTHHMMSSZ
  std::string modified_utc; // YYYYMMDDTHHMMSSZ
};

// Escapes TEXT values (backslash, semicolon, comma, newline).
std::string ics_escape(const std::string& s);
// Folds one content line into CRLF-terminated lines of at most 75 octets.
std::string ics_fold(const std::string& line);
// "+0800" for a UTC offset in minutes.
std::string ics_offset(int minutes);
// The whole calendar.
std::string ics_calendar(const std::string& tzid, int utc_offset_minutes, const std::vector<IcsEvent>& events);

}  // namespace cq::clarify
