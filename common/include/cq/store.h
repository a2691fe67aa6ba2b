// A service's SQLite database: one file, WAL, synchronous=FULL so that a
// committed write survives a power cut, forward-only numbered migrations
// (PRAGMA user_version), write transactions that begin IMMEDIATE, savepoints
// so that one failed request in a group commit changes nothing, and a cache
// of prepared statements for the hot path.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

namespace cq {

// A Store belongs to one thread (SQLite is opened without its own mutex).
class Store {
 public:
  // Opens (creating) the file and runs the migrations that are newer than
  // the file's schema version, each in its own transaction. migrations[i]
  // brings the schema to version i+1.
  Store(const std::filesystem::path& file, const std::vector<std::string>& migrations);

  SQLite::Database& db() { return db_; }
  // A prepared statement for sql, reset, reused across calls. Callers must
  // bind every parameter (bindings are not cleared, to keep this cheap).
  SQLite::Statement& stmt(const std::string& sql);
  // The next number of a series "PREFIX0001" in table.number (the highest so
  // far plus one), zero-padded to `digits`. Call inside the write transaction.
  std::string next_number(const std::string& table, const std::string& prefix, int digits);
  int schema_version();
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class WriteTx {
 public:
  explicit WriteTx(Store& s);
  ~WriteTx();
  void commit();
  void rollback();
  WriteTx(const WriteTx&) = delete;
  WriteTx& operator=(const WriteTx&) = delete;

 private:
  Store& s_;
  bool done_ = false;
};

// SAVEPOINT inside a transaction; rolls back to it in the destructor unless released.
class Savepoint {
 public:
  explicit Savepoint(Store& s);
  ~Savepoint();
  void release();

 private:
  Store& s_;
  bool done_ = false;
};

}  // namespace cq
