// The intake service: registers petitions and reports, links repeats,
// answers status look-ups by query code, and emits report.received /
// report.merged events.
#pragma once

#include "cq/service.h"
#include "report.h"

namespace cq::intake {

class Intake {
 public:
  explicit Intake(Service& svc);

 private:
  struct Saved {
    std::string case_no;
    std::string query_code;  // empty when the report existed already
    std::string status;
    std::string duplicate_of;
    std::string duplicate_reason;
    bool existing = false;
  };
  Result<Doc> submit(const Request& r);
  Result<Doc> import(const Request& r);
  Result<Doc> get(const Request& r);
  Result<Doc> identity(const Request& r);
  Result<Doc> status(const Request& r);
  Result<Doc> list(const Request& r);

  Saved save(const ReportInput& in, const Principal& who);
  std::optional<std::string> find_external(const std::string& external_id);
  // The earliest report this one repeats, and why; nullopt if it is new.
  std::optional<std::pair<std::string, std::string>> find_duplicate(
      const ReportInput& in, const std::vector<std::string>& reporter_hashes,
      const std::vector<std::string>& accused_keys, const std::string& text_hash);
  std::string next_case_no(Millis at);
  static Doc saved_doc(const Saved& s);

  Service& svc_;
  crypto::Key identity_key_, match_key_, query_key_;
};

}  // namespace cq::intake
