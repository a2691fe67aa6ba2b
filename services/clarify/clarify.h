// The clarify service (澄清正名): every report concluded untrue or unproven
// opens a clarification case for each accused official, due within the
// configured working days. With the official's consent, staff schedule a
// briefing (checked against the calendar, working hours, bookings of venue
// and presenter, and the deadline), mark it held, and record the follow-up
// visit. Consumes triage's conclusions; emits each step.
#pragma once

#include "cq/service.h"

namespace cq::clarify {

struct Settings {
  std::vector<Label> types, scopes;
  std::vector<std::string> venue_free_types;  // types that need no venue (written, public notice)
  std::string day_start = "08:30", day_end = "17:30";
  int follow_up_days = 20;  // working days after the briefing
};
Result<Settings> settings_from_config(const Config& cfg);

class Clarify {
 public:
  explicit Clarify(Service& svc);

 private:
  struct Slot;
  void on_triage_event(const Event& e);
  void open_cases(const Event& e);
  void withdraw_cases(const Event& e);
  void log(int64_t case_id, const std::string& by, const std::string& what, const std::string& detail,
           const std::string& reason);
  void emit(const std::string& type, int64_t case_id, Doc extra);
  Result<int64_t> resolve(const Doc& body);
  std::string state_of(int64_t id);
  Result<Doc> check_slot(const Slot& s, int64_t case_id, int64_t except_briefing);
  Doc case_doc(int64_t id, bool full);

  Result<Doc> consent(const Request& r);
  Result<Doc> schedule(const Request& r);
  Result<Doc> reschedule(const Request& r);
  Result<Doc> cancel(const Request& r);
  Result<Doc> held(const Request& r);
  Result<Doc> follow_up(const Request& r);
  Result<Doc> list(const Request& r);
  Result<Doc> show(const Request& r);
  Result<Doc> ics(const Request& r);

  Service& svc_;
  Settings settings_;
};

}  // namespace cq::clarify
