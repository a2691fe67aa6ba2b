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
  Facts facts_for(const std::string& case_no, const Doc& data, bool merged);
  void store_suggestion(const std::string& case_no, const Suggestion& s, bool rerun);
  Result<Doc> show(const Request& r);
  Result<Doc> queue(const Request& r);
  Result<Doc> rerun(const Request& r);
  Result<Doc> notice_add(const Request& r);
  Result<Doc> dispute_add(const Request& r);

  Service& svc_;
  RuleSet rules_;  // replaced by rerun (store thread only)
  crypto::Key match_key_;
};

}  // namespace cq::triage
