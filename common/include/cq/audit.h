// An append-only audit trail whose rows are chained by a keyed MAC: editing,
// deleting or reordering a row breaks the chain from that row on, and
// `verify` names the first row that no longer matches.
#pragma once

#include <string>
#include <vector>

#include "cq/codec.h"
#include "cq/crypto.h"
#include "cq/store.h"

namespace cq {

class AuditLog {
 public:
  AuditLog(Store& s, crypto::Key key);  // creates its table if missing
  // Appends a row; call inside the transaction of the action it records.
  void record(const std::string& user, const std::string& role, const std::string& action,
              const std::string& subject, const std::string& purpose);
  // Number of rows verified, or an error naming the first broken row.
  Result<int64_t> verify();
  // Rows after seq, oldest first.
  Doc list(int64_t after, int limit, const std::string& subject = "");

 private:
  std::string mac(const std::string& prev, int64_t seq, int64_t at, const std::string& user,
                  const std::string& role, const std::string& action, const std::string& subject,
                  const std::string& purpose) const;
  Store& s_;
  crypto::Key key_;
};

}  // namespace cq
