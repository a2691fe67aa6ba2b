// A report as a clerk submits it, and its validation. Every problem is
// reported with its field path; nothing is stored unless all is well.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cq/calendar.h"
#include "cq/codec.h"
#include "cq/config.h"
#include "cq/error.h"

namespace cq::intake {

// The reporter (检举控告人). Identity fields are secret: they are encrypted
// at rest and only their keyed hashes are used for matching.
struct Reporter {
  bool anonymous = true;
  std::string name, id_number, phone, address, unit;
  bool has_identity() const { return !name.empty() || !id_number.empty() || !phone.empty() || !address.empty(); }
  Doc to_doc() const;
};

// An accused official (被反映人).
struct Accused {
  std::string name, unit, post, level, region;
  Doc to_doc() const;
};

struct ReportInput {
  std::string channel;
  Millis received_at = 0;
  Reporter reporter;
  std::vector<Accused> accused;
  std::string category;
  std::string summary;
  std::string details;
  Doc specifics = Doc::object();  // when, where, amount_yuan, witnesses, evidence (validated)
  std::string external_id;
  std::string forwarded_from;
};

// Validates a submitted report (the body of report.submit, or one import line).
Result<ReportInput> parse_report(const Doc& body, const Config& cfg, const std::string& path, Millis now);

}  // namespace cq::intake
