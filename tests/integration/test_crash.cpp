// kill -9 of intake while a client submits as fast as it can: every report
// that was acknowledged is there afterwards, exactly once.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "../support/samples.h"
#include "cluster.h"

using cq::Doc;
using cq::test::Cluster;
using namespace std::chrono_literals;

TEST_CASE("crash: SIGKILL during a stream of submissions loses no acknowledged report and duplicates none") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, std::string> acked;           // request id -> case number
  std::map<std::string, int> unanswered;              // request id -> report index
  int next = 0;

  for (int round = 0; round < 3; ++round) {
    auto client = c.client("intake", "clerk1", 3000, 1);
    std::atomic<bool> stop{false};
    std::atomic<int> acked_this_round{0};
    int delay_ms = static_cast<int>(rng() % 400);
    // Killed mid-stream: once the stream is flowing (some answers back, so a
    // loaded machine does not make the round empty), after a random delay.
    std::thread killer([&, delay_ms] {
      for (int i = 0; i < 500 && acked_this_round < 10; ++i) std::this_thread::sleep_for(10ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      c.kill9("intake");
      stop = true;
    });
    // Pipelined submissions, a window of 32 in flight.
    std::map<std::string, int> in_flight;
    while (!stop || !in_flight.empty()) {
      while (!stop && in_flight.size() < 32) {
        int n = next++;
        std::string id = "crash-" + std::to_string(n);
        client->send("report.submit", cq::test::sample_report(10000 + n), id);
        in_flight[id] = n;
      }
      auto r = client->receive(stop ? 300ms : 2000ms);
      if (!r) {
        if (stop) break;
        continue;
      }
      auto it = in_flight.find(r->first);
      if (it == in_flight.end()) continue;
      REQUIRE_MESSAGE(r->second.ok, r->second.message);
      acked[r->first] = r->second.body["case_no"];
      ++acked_this_round;
      in_flight.erase(it);
    }
    killer.join();
    for (const auto& [id, n] : in_flight) unanswered[id] = n;

    c.start("intake");
    REQUIRE(c.wait_ready("intake"));
    // The clerk's client retries what had no answer, with the same request ids.
    auto retry = c.client("intake", "clerk1", 5000, 1);
    for (const auto& [id, n] : unanswered) {
      auto r = retry->call("report.submit", cq::test::sample_report(10000 + n), id);
      REQUIRE(r.ok());
      REQUIRE(r->ok);
      acked[id] = r->body["case_no"];
    }
    unanswered.clear();
  }
  MESSAGE("acknowledged " << acked.size() << " reports across 3 kills");
  CHECK(acked.size() > 30);

  // Every acknowledged case is there, and there is nothing else.
  auto admin = c.client("intake", "admin", 10000, 1);
  std::set<std::string> stored;
  Doc body{{"limit", 500}};
  while (true) {
    auto r = admin->call("report.list", body);
    REQUIRE(r.ok());
    for (const auto& it : r->body["items"]) CHECK(stored.insert(it["case_no"].get<std::string>()).second);
    if (r->body["next_cursor"].is_null()) break;
    body["cursor"] = r->body["next_cursor"];
  }
  std::set<std::string> acked_cases;
  for (const auto& [id, cn] : acked) acked_cases.insert(cn);
  CHECK(acked_cases.size() == acked.size());  // one case per request
  CHECK(stored == acked_cases);
  // One event per report, none twice.
  std::set<std::string> subjects;
  int64_t after = 0;
  while (true) {
    auto ev = admin->call("events.fetch", Doc{{"after", after}, {"limit", 2000}});
    REQUIRE(ev.ok());
    for (const auto& e : ev->body["events"]) {
      CHECK(subjects.insert(e["subject"].get<std::string>()).second);
      after = e["seq"];
    }
    if (!ev->body["more"].get<bool>()) break;
  }
  CHECK(subjects == stored);
}
