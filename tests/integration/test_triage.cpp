// Triage through real processes: intake registers, triage suggests.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <thread>

#include "cluster.h"
#include "samples.h"

using cq::Doc;
using cq::test::Cluster;
using namespace std::chrono_literals;

namespace {
Cluster::Options both() {
  Cluster::Options o;
  o.services = {"intake", "triage"};
  return o;
}
Doc ok(cq::Result<cq::Reply> r) {
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE_MESSAGE(r->ok, r->code << ": " << r->message);
  return r->body;
}
// Waits until triage has a suggestion for the case.
Doc suggestion(Cluster& c, const std::string& case_no, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto admin = c.client("triage", "admin");
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = admin->call("triage.show", Doc{{"case_no", case_no}});
    if (r && r->ok) return r->body;
    std::this_thread::sleep_for(50ms);
  }
  FAIL("no suggestion for " << case_no);
  return {};
}
Doc abusive() {
  Doc r = cq::test::sample_report(900, true);
  r["summary"] = "林某就是个贪官";
  r["details"] = "林某这个人坏透了，贪污腐败，大家都恨他，必须撤职！！！";
  r.erase("specifics");
  r["category"] = "other";
  return r;
}
bool fired(const Doc& s, const std::string& rule) {
  for (const auto& f : s["suggestion"]["fired"])
    if (f["rule"] == rule) return true;
  return false;
}
}  // namespace

TEST_CASE("triage: every new report gets an explained suggestion; a changed weight changes it after rerun") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  std::string good = ok(clerk->call("report.submit", cq::test::sample_report(1)))["case_no"];
  std::string bad = ok(clerk->call("report.submit", abusive()))["case_no"];
  std::string again = ok(clerk->call("report.submit", cq::test::sample_report(1, true)))["case_no"];  // same text

  Doc g = suggestion(c, good);
  CHECK(g["suggestion"]["class"] == "verifiable");
  CHECK(fired(g, "amount"));
  CHECK(fired(g, "real-name"));
  double sum = 0;
  for (const auto& f : g["suggestion"]["fired"])
    if (f["class"] == "verifiable") sum += f["weight"].get<double>();
  CHECK(sum == doctest::Approx(g["suggestion"]["score"].get<double>()));
  Doc b = suggestion(c, bad);
  CHECK(b["suggestion"]["class"] == "suspected_malicious");
  CHECK(fired(b, "abuse-without-facts"));
  CHECK(suggestion(c, again)["suggestion"]["class"] == "repeat");

  // Queue: oldest first, with the deadline.
  Doc q = ok(c.client("triage", "officer1")->call("triage.queue", Doc::object()));
  REQUIRE(q["items"].size() == 3);
  CHECK(q["items"][0]["case_no"] == good);
  CHECK(q["items"][0]["triage_due"] == "2026-11-23");  // 5 working days after Monday 2026-11-16
  CHECK(ok(c.client("triage", "officer1")->call("triage.queue", Doc{{"class", "repeat"}}))["items"].size() == 1);

  // An officer lowers a weight in the configuration file; no rebuild, no restart.
  std::string text = cq::test::slurp(c.config_file());
  auto at = text.find("predicate = \"abusive_without_facts\"\nparam = 1\nweight = 2.5");
  REQUIRE(at != std::string::npos);
  text.replace(text.find("weight = 2.5", at), 12, "weight = 0.5");
  { std::ofstream(c.config_file()) << text; }
  CHECK(c.client("triage", "clerk1")->call("triage.rerun", Doc::object())->code == "forbidden");
  Doc rr = ok(c.client("triage", "officer1")->call("triage.rerun", Doc::object()));
  CHECK(rr["rescored"] == 3);
  CHECK(rr["changed"] == 1);
  Doc b2 = suggestion(c, bad);
  CHECK(b2["suggestion"]["class"] == "vague");
  CHECK(b2["suggestion"]["reruns"] == 1);
  CHECK(suggestion(c, good)["suggestion"]["class"] == "verifiable");

  // A broken rule file is refused with the key that is wrong, and changes nothing.
  text.replace(text.find("predicate = \"real_name\""), 23, "predicate = \"hunch\"");
  { std::ofstream(c.config_file()) << text; }
  auto refused = c.client("triage", "officer1")->call("triage.rerun", Doc::object());
  REQUIRE(refused.ok());
  CHECK(refused->code == "invalid");
  CHECK(refused->message.find("unknown predicate 'hunch'") != std::string::npos);
  CHECK(suggestion(c, bad)["suggestion"]["class"] == "vague");
}

TEST_CASE("triage: notice periods and disputes recorded by staff are weighed, and only together reach suspicion") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.start_all();
  auto officer = c.client("triage", "officer1");
  Doc base = cq::test::sample_report(42);
  std::string name = base["accused"][0]["name"], unit = base["accused"][0]["unit"];
  ok(officer->call("notice.add", Doc{{"name", name}, {"unit", unit}, {"kind", "promotion"}, {"from", "2026-11-10"}, {"to", "2026-11-20"}}));
  CHECK(officer->call("notice.add", Doc{{"name", name}, {"unit", unit}, {"kind", "coronation"}, {"from", "2026-11-10"}, {"to", "2026-11-01"}})->code == "invalid");
  auto clerk = c.client("intake", "clerk1");
  std::string during = ok(clerk->call("report.submit", base))["case_no"];
  Doc s1 = suggestion(c, during);
  CHECK(fired(s1, "notice-period"));
  CHECK(s1["suggestion"]["class"] == "verifiable");  // a report during a notice period is legitimate on its own

  ok(officer->call("dispute.add", Doc{{"reporter", Doc{{"phone", base["reporter"]["phone"]}}}, {"name", name}, {"unit", unit},
                                      {"note", "宅基地纠纷"}}));
  Doc second = base;
  second["summary"] = "补充反映" + name + "的问题";
  second["details"] = "他在公示期间还在打招呼，我和他有宅基地纠纷，但情况属实。";
  second["received_at"] = "2026-11-18T10:00:00+08:00";
  second["category"] = "appointments";
  second.erase("specifics");
  std::string both_signs = ok(clerk->call("report.submit", second))["case_no"];
  Doc s2 = suggestion(c, both_signs);
  CHECK(fired(s2, "notice-period"));
  CHECK(fired(s2, "dispute"));
  CHECK(s2["suggestion"]["class"] == "suspected_malicious");
  CHECK(c.client("triage", "clerk1")->call("dispute.add", Doc::object())->code == "forbidden");
}

TEST_CASE("triage: kill -9 during a stream of new reports; every report gets exactly one suggestion") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  std::thread killer([&] {
    std::this_thread::sleep_for(300ms);
    c.kill9("triage");
    std::this_thread::sleep_for(300ms);
    c.start("triage");
  });
  std::vector<std::string> cases;
  for (int i = 0; i < 150; ++i) cases.push_back(ok(clerk->call("report.submit", cq::test::sample_report(7000 + i)))["case_no"]);
  killer.join();
  REQUIRE(c.wait_ready("triage"));
  for (const auto& cn : cases) suggestion(c, cn, 20000);
  // Exactly one first-time report.triaged event per report.
  auto admin = c.client("triage", "admin");
  std::multiset<std::string> triaged;
  int64_t after = 0;
  while (true) {
    Doc page = ok(admin->call("events.fetch", Doc{{"after", after}, {"limit", 1000}}));
    for (const auto& e : page["events"]) {
      after = e["seq"];
      if (e["type"] == "report.triaged" && !e["data"]["rerun"].get<bool>()) triaged.insert(e["subject"].get<std::string>());
    }
    if (!page["more"].get<bool>()) break;
  }
  CHECK(triaged.size() == cases.size());
  for (const auto& cn : cases) CHECK(triaged.count(cn) == 1);
}
