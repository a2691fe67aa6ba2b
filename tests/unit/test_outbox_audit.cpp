#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>

#include "cq/audit.h"
#include "cq/outbox.h"

namespace fs = std::filesystem;

namespace {
struct Db {
  fs::path dir = fs::temp_directory_path() / ("cq-outbox-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  cq::Store store{dir / "o.db", {"CREATE TABLE state(k TEXT PRIMARY KEY, v INTEGER)"}};
  ~Db() { fs::remove_all(dir); }
};
}  // namespace

TEST_CASE("outbox: the event and the state change commit or roll back together") {
  Db db;
  cq::Outbox out(db.store);
  {
    cq::WriteTx tx(db.store);
    db.store.db().exec("INSERT INTO state VALUES('a', 1)");
    out.append("thing.done", "A", cq::Doc{{"n", 1}});
    // no commit: both vanish
  }
  CHECK(out.last() == 0);
  CHECK(db.store.db().execAndGet("SELECT COUNT(*) FROM state").getInt() == 0);
  for (int i = 1; i <= 5; ++i) {
    cq::WriteTx tx(db.store);
    out.append("thing.done", "S" + std::to_string(i), cq::Doc{{"n", i}});
    tx.commit();
  }
  CHECK(out.last() >= 5);
  auto page = [&](int64_t after, int limit) {  // as events.fetch serves it
    auto d = cq::decode(out.fetch_encoded(after, limit));
    REQUIRE(d.ok());
    std::vector<cq::Event> events;
    for (auto& e : (*d)["events"]) events.push_back(*cq::Event::from_doc(e));
    return std::make_pair(events, (*d)["more"].get<bool>());
  };
  auto [first, more] = page(0, 2);
  REQUIRE(first.size() == 2);
  CHECK(more);
  auto [rest, more2] = page(first.back().seq, 100);
  REQUIRE(rest.size() == 3);
  CHECK_FALSE(more2);
  CHECK(rest.front().seq > first.back().seq);
  CHECK(rest.back().data["n"] == 5);
  CHECK(rest.back().subject == "S5");
  CHECK(rest.back().type == "thing.done");
  auto round = cq::Event::from_doc(rest.back().to_doc());
  REQUIRE(round.ok());
  CHECK(round->data == rest.back().data);
  CHECK_FALSE(cq::Event::from_doc(cq::Doc{{"type", "x"}}).ok());
}

TEST_CASE("audit: the chain verifies, and any edit or removal is named") {
  Db db;
  cq::AuditLog audit(db.store, cq::crypto::random_key());
  for (int i = 0; i < 4; ++i) {
    cq::WriteTx tx(db.store);
    audit.record("alice", "clerk", "reporter.identity.read", "XF2026-00000" + std::to_string(i), "send notice");
    tx.commit();
  }
  auto ok = audit.verify();
  REQUIRE(ok.ok());
  CHECK(*ok == 4);
  CHECK(audit.list(0, 10).size() == 4);
  CHECK(audit.list(0, 10, "XF2026-000002").size() == 1);

  db.store.db().exec("UPDATE audit SET purpose = 'nothing to see' WHERE seq = 3");
  auto edited = audit.verify();
  REQUIRE_FALSE(edited.ok());
  CHECK(edited.error().message == "audit row 3 was altered");
}

TEST_CASE("audit: a deleted row breaks the chain") {
  Db db;
  cq::AuditLog audit(db.store, cq::crypto::random_key());
  for (int i = 0; i < 3; ++i) audit.record("bob", "officer", "read", "S", "p");
  db.store.db().exec("DELETE FROM audit WHERE seq = 2");
  auto r = audit.verify();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "audit row 2 is missing");
}
