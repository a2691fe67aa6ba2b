// The intake service: registers petitions and reports, links repeats,
// answers status look-ups by query code, and emits report.received /
// report.merged events.
#pragma once

#include <map>

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
  // Everything about a report that needs no database, computed on the
  // service's front thread: the validated input, keyed hashes, the sealed
  // identity, the query code, and the event's fields.
  struct Prepared {
    ReportInput in;
    std::vector<std::pair<std::string, std::string>> reporter_keys;  // kind, hash
    std::vector<std::string> accused_keys;
    std::string text_hash, specifics_json, sealed_identity;
    std::string query_code, query_hash, sealed_code;
    std::string ack_due;  // if it is new work from a real-name reporter
    std::string event;    // report.received / report.merged fields known up front, encoded
  };
  struct PreparedImport {
    std::vector<int64_t> lines;
    std::vector<Result<std::shared_ptr<Prepared>>> items;
  };
  Result<std::shared_ptr<Prepared>> prepare(const Doc& body, const std::string& path, bool need_external_id);
  Result<std::shared_ptr<void>> prepare_submit(const Request& r);
  Result<std::shared_ptr<void>> prepare_import(const Request& r);
  Result<Doc> submit(const Request& r);
  Result<Doc> import(const Request& r);
  Result<Doc> get(const Request& r);
  Result<Doc> identity(const Request& r);
  Result<Doc> status(const Request& r);
  Result<Doc> list(const Request& r);

  Saved save(const Prepared& p, const Principal& who);
  std::optional<std::string> find_external(const std::string& external_id);
  // The earliest report this one repeats, and why; nullopt if it is new.
  std::optional<std::pair<std::string, std::string>> find_duplicate(const Prepared& p);
  std::string next_case_no(Millis at);
  static Doc saved_doc(const Saved& s);

  Service& svc_;
  // The last case number given, per year: a cache of MAX(case_no), dropped
  // whenever a transaction rolls back.
  std::map<int, long long> last_case_;
  crypto::Key identity_key_, match_key_, query_key_;
};

}  // namespace cq::intake
