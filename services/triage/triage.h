// The triage service: for every report intake registers, an explained
// suggestion (verifiable, vague, suspected malicious, not ours, repeat) for
// an officer to confirm or override. Consumes intake's events; emits
// report.triaged.
#pragma once

#include <mutex>

#include "cq/service.h"
#include "rules.h"

namespace cq::triage {

class Triage {
 public:
  explicit Triage(Service& svc);

  // An official as triage keys them: normalised "name|unit".
  static std::string accused_key(const std::string& name, const std::string& unit);

 private:
  void on_intake_event(const Event& e);
  void on_registry_event(const Event& e);
  Facts facts_for(const std::string& case_no, const Doc& data, bool merged);
  void store_suggestion(const std::string& case_no, const Suggestion& s, bool rerun, const std::string& region);
  Result<Doc> show(const Request& r);
  Result<Doc> queue(const Request& r);
  Result<Doc> rerun(const Request& r);
  Result<Doc> notice_add(const Request& r);
  Result<Doc> dispute_add(const Request& r);
  Result<Doc> decide(const Request& r);
  Result<Doc> conclude(const Request& r);
  Result<Doc> approve(const Request& r);
  Result<Doc> revise(const Request& r);
  Result<Doc> notified(const Request& r);
  Result<Doc> overdue(const Request& r);
  // Makes a conclusion effective: state, reporter feedback deadline, and the
  // event that clarification and the registry react to.
  void make_effective(const std::string& case_no, int64_t conclusion_id, const Principal& by);
  // The report's state, or nullopt if triage has not seen it.
  std::optional<std::string> state_of(const std::string& case_no);
  std::string due_in(int working_days) const;

  Service& svc_;
  RuleSet rules_;  // replaced by rerun (store thread only)
  // Whether any context of each kind was ever recorded: while none was, its
  // query can be skipped. Only ever set (a stale "true" just runs a query).
  bool any_flagged_ = false, any_notice_ = false, any_dispute_ = false, any_untrue_ = false;
  crypto::Key match_key_;
};

}  // namespace cq::triage
