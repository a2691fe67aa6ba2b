#include "cq/audit.h"

#include "cq/calendar.h"

namespace cq {

AuditLog::AuditLog(Store& s, crypto::Key key) : s_(s), key_(key) {
  s_.db().exec(
      "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
      " user TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,"
      " purpose TEXT NOT NULL, mac TEXT NOT NULL)");
  s_.db().exec("CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject, seq)");
}

std::string AuditLog::mac(const std::string& prev, int64_t seq, int64_t at,
                          const std::string& user, const std::string& role,
                          const std::string& action, const std::string& subject,
                          const std::string& purpose) const {
  // Length-prefixed fields so that no two different rows serialise alike.
  Doc d = Doc::array({prev, seq, at, user, role, action, subject, purpose});
  return crypto::keyed_hash(key_, "audit", encode(d));
}

void AuditLog::record(const std::string& user, const std::string& role, const std::string& action,
                      const std::string& subject, const std::string& purpose) {
  auto& last = s_.stmt("SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1");
  int64_t seq = 1;
  std::string prev;
  if (last.executeStep()) {
    seq = last.getColumn(0).getInt64() + 1;
    prev = last.getColumn(1).getString();
  }
  int64_t at = now_ms();
  auto& ins = s_.stmt(
      "INSERT INTO audit(seq, at, user, role, action, subject, purpose, mac) VALUES(?,?,?,?,?,?,?,?)");
  ins.bind(1, seq);
  ins.bind(2, at);
  ins.bind(3, user);
  ins.bind(4, role);
  ins.bind(5, action);
  ins.bind(6, subject);
  ins.bind(7, purpose);
  ins.bind(8, mac(prev, seq, at, user, role, action, subject, purpose));
  ins.exec();
}

Result<int64_t> AuditLog::verify() {
  SQLite::Statement st(s_.db(), "SELECT seq, at, user, role, action, subject, purpose, mac FROM audit ORDER BY seq");
  std::string prev;
  int64_t expect = 1, n = 0;
  while (st.executeStep()) {
    int64_t seq = st.getColumn(0).getInt64();
    if (seq != expect)
      return Error::make(code::kConflict, "audit row " + std::to_string(expect) + " is missing");
    std::string m = mac(prev, seq, st.getColumn(1).getInt64(), st.getColumn(2).getString(),
                        st.getColumn(3).getString(), st.getColumn(4).getString(),
                        st.getColumn(5).getString(), st.getColumn(6).getString());
    if (m != st.getColumn(7).getString())
      return Error::make(code::kConflict, "audit row " + std::to_string(seq) + " was altered");
    prev = m;
    ++expect;
    ++n;
  }
  return n;
}

Doc AuditLog::list(int64_t after, int limit, const std::string& subject) {
  Doc out = Doc::array();
  SQLite::Statement st(s_.db(), subject.empty()
      ? "SELECT seq, at, user, role, action, subject, purpose FROM audit WHERE seq > ? ORDER BY seq LIMIT ?"
      : "SELECT seq, at, user, role, action, subject, purpose FROM audit WHERE seq > ? AND subject = ? ORDER BY seq LIMIT ?");
  st.bind(1, after);
  if (subject.empty()) st.bind(2, limit);
  else { st.bind(2, subject); st.bind(3, limit); }
  while (st.executeStep())
    out.push_back({{"seq", st.getColumn(0).getInt64()}, {"at", format_local(st.getColumn(1).getInt64())},
                   {"user", st.getColumn(2).getString()}, {"role", st.getColumn(3).getString()},
                   {"action", st.getColumn(4).getString()}, {"subject", st.getColumn(5).getString()},
                   {"purpose", st.getColumn(6).getString()}});
  return out;
}

}  // namespace cq
