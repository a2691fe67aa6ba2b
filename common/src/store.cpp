#include "cq/store.h"

#include <spdlog/spdlog.h>

namespace cq {

Store::Store(const std::filesystem::path& file, const std::vector<std::string>& migrations)
    : file_(file),
      db_((std::filesystem::create_directories(file.parent_path()), file.string()),
          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX) {
  db_.setBusyTimeout(10000);
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=FULL");
  db_.exec("PRAGMA foreign_keys=ON");
  db_.exec("PRAGMA temp_store=MEMORY");
  int v = schema_version();
  if (v > static_cast<int>(migrations.size()))
    throw std::runtime_error(file.string() + " has schema version " + std::to_string(v) +
                             ", newer than this program knows (" +
                             std::to_string(migrations.size()) + "): refusing to open");
  for (int i = v; i < static_cast<int>(migrations.size()); ++i) {
    WriteTx tx(*this);
    db_.exec(migrations[i]);
    db_.exec("PRAGMA user_version=" + std::to_string(i + 1));
    tx.commit();
    spdlog::info("migrated {} to schema version {}", file.filename().string(), i + 1);
  }
}

int Store::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

SQLite::Statement& Store::stmt(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  it->second->reset();  // callers bind every parameter, so old bindings never leak through
  return *it->second;
}

WriteTx::WriteTx(Store& s) : s_(s) { s_.db().exec("BEGIN IMMEDIATE"); }
WriteTx::~WriteTx() {
  if (!done_) {
    try {
      s_.db().exec("ROLLBACK");
    } catch (...) {
    }
  }
}
void WriteTx::commit() {
  s_.db().exec("COMMIT");
  done_ = true;
}
void WriteTx::rollback() {
  s_.db().exec("ROLLBACK");
  done_ = true;
}

// Savepoints are on the hot path of every request: prepared once, reused.
Savepoint::Savepoint(Store& s) : s_(s) { s_.stmt("SAVEPOINT sp").exec(); }
Savepoint::~Savepoint() {
  if (!done_) {
    try {
      s_.stmt("ROLLBACK TO sp").exec();
      s_.stmt("RELEASE sp").exec();
    } catch (...) {
    }
  }
}
void Savepoint::release() {
  s_.stmt("RELEASE sp").exec();
  done_ = true;
}

std::string Store::next_number(const std::string& table, const std::string& prefix, int digits) {
  auto& st = stmt("SELECT COALESCE(MAX(CAST(substr(number, ?) AS INTEGER)), 0) FROM " + table + " WHERE number LIKE ?");
  st.bind(1, static_cast<int>(prefix.size() + 1));
  st.bind(2, prefix + "%");
  st.executeStep();
  std::string n = std::to_string(st.getColumn(0).getInt64() + 1);
  st.reset();
  return prefix + std::string(n.size() < static_cast<std::size_t>(digits) ? digits - n.size() : 0, '0') + n;
}

}  // namespace cq
