#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "cq/store.h"

namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("cq-store-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};
const std::vector<std::string> kV1 = {"CREATE TABLE t(x INTEGER)"};
const std::vector<std::string> kV2 = {"CREATE TABLE t(x INTEGER)", "ALTER TABLE t ADD COLUMN y TEXT"};
int count(cq::Store& s) { return s.db().execAndGet("SELECT COUNT(*) FROM t").getInt(); }
}  // namespace

TEST_CASE("store: WAL with synchronous=FULL, and forward migrations run once") {
  TempDir d;
  auto file = d.path / "s.db";
  {
    cq::Store s(file, kV1);
    CHECK(s.db().execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(s.db().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
    CHECK(s.schema_version() == 1);
    s.db().exec("INSERT INTO t(x) VALUES(1)");
  }
  {
    cq::Store s(file, kV2);  // upgrade keeps data
    CHECK(s.schema_version() == 2);
    CHECK(count(s) == 1);
    s.db().exec("INSERT INTO t(x, y) VALUES(2, 'b')");
  }
  CHECK_THROWS_WITH_AS(cq::Store(file, kV1), doctest::Contains("newer than this program knows"), std::runtime_error);
}

TEST_CASE("store: an uncommitted transaction or savepoint changes nothing") {
  TempDir d;
  cq::Store s(d.path / "s.db", kV1);
  { cq::WriteTx tx(s); s.db().exec("INSERT INTO t(x) VALUES(1)"); }
  CHECK(count(s) == 0);
  {
    cq::WriteTx tx(s);
    s.db().exec("INSERT INTO t(x) VALUES(1)");
    { cq::Savepoint sp(s); s.db().exec("INSERT INTO t(x) VALUES(2)"); }  // rolled back
    {
      cq::Savepoint sp(s);
      s.db().exec("INSERT INTO t(x) VALUES(3)");
      sp.release();
    }
    tx.commit();
  }
  CHECK(count(s) == 2);
  CHECK(s.db().execAndGet("SELECT SUM(x) FROM t").getInt() == 4);
}

TEST_CASE("store: cached statements are reset between uses") {
  TempDir d;
  cq::Store s(d.path / "s.db", kV1);
  for (int i = 0; i < 3; ++i) {
    auto& st = s.stmt("INSERT INTO t(x) VALUES(?)");
    st.bind(1, i);
    st.exec();
  }
  auto& q = s.stmt("SELECT x FROM t WHERE x >= ? ORDER BY x");
  q.bind(1, 1);
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt() == 1);
  auto& q2 = s.stmt("SELECT x FROM t WHERE x >= ? ORDER BY x");  // half-read before: must restart
  q2.bind(1, 0);
  REQUIRE(q2.executeStep());
  CHECK(q2.getColumn(0).getInt() == 0);
}
