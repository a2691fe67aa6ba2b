// Triage through real processes: intake registers, triage suggests.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <thread>

#include "cluster.h"
#include "replies.h"
#include "cq/service.h"
#include "samples.h"

using cq::Doc;
using cq::test::Cluster;
using cq::test::ok;
using cq::test::refused;
using namespace std::chrono_literals;

namespace {
Cluster::Options both() {
  Cluster::Options o;
  o.services = {"intake", "triage"};
  return o;
}
// Waits until triage has a suggestion for the case.
Doc suggestion(Cluster& c, const std::string& case_no, int timeout_ms = 10000) {
  return cq::test::eventually_ok(*c.client("triage", "admin"), "triage.show", Doc{{"case_no", case_no}}, timeout_ms);
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

namespace {
std::vector<Doc> events_of(Cluster& c, const std::string& type) {
  std::vector<Doc> out;
  Doc page = ok(c.client("triage", "admin")->call("events.fetch", Doc{{"after", 0}, {"limit", 5000}}));
  for (const auto& e : page["events"])
    if (e["type"] == type) out.push_back(e);
  return out;
}
}  // namespace

TEST_CASE("triage: officers decide with reasons; conclusions; a false accusation needs a second person; revisions") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.add_user("boss1", "approver");
  c.add_user("boss2", "approver");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  std::string a = ok(clerk->call("report.submit", cq::test::sample_report(11)))["case_no"];
  std::string b = ok(clerk->call("report.submit", cq::test::sample_report(12)))["case_no"];
  suggestion(c, a);
  suggestion(c, b);
  auto officer = c.client("triage", "officer1");
  auto boss1 = c.client("triage", "boss1");
  auto boss2 = c.client("triage", "boss2");

  // Decisions: officers only; an override needs a reason.
  CHECK(c.client("triage", "clerk1")->call("triage.decide", Doc{{"case_no", a}, {"disposal", "close"}})->code == "forbidden");
  auto no_reason = officer->call("triage.decide", Doc{{"case_no", a}, {"class", "vague"}, {"disposal", "hold"}});
  CHECK(no_reason->code == "invalid");
  CHECK(no_reason->message == "body.reason: missing: overriding the suggestion (verifiable → vague) needs a reason");
  CHECK(officer->call("triage.decide", Doc{{"case_no", a}, {"disposal", "teleport"}})->message.find("body.disposal: unknown disposal 'teleport'") == 0);
  CHECK(officer->call("triage.decide", Doc{{"case_no", a}, {"disposal", "forward"}})->message.find("body.forward_to: missing") == 0);
  Doc d = ok(officer->call("triage.decide", Doc{{"case_no", a}, {"disposal", "preliminary_verification"}}));
  CHECK(d["overridden"] == false);
  CHECK(d["state"] == "decided");
  CHECK(officer->call("triage.decide", Doc{{"case_no", a}, {"disposal", "close"}})->code == "conflict");
  ok(officer->call("triage.decide", Doc{{"case_no", b}, {"class", "vague"}, {"reason", "线索经初核无法查证"}, {"disposal", "talk_or_letter"}}));
  CHECK(events_of(c, "report.decided").size() == 2);

  // An honest mistake is "untrue": effective at once.
  ok(officer->call("conclusion.add", Doc{{"case_no", a}, {"kind", "untrue"}, {"summary", "经核查，反映问题不属实，举报人系误解"}}));
  CHECK(events_of(c, "report.concluded").size() == 1);
  CHECK(officer->call("conclusion.add", Doc{{"case_no", a}, {"kind", "untrue"}, {"summary", "again"}})->code == "conflict");

  // A false accusation needs the finding of fabrication, and a second person.
  auto no_finding = officer->call("conclusion.add", Doc{{"case_no", b}, {"kind", "false_accusation"}, {"summary", "诬告"}});
  CHECK(no_finding->message.find("body.fabrication_finding: missing") == 0);
  ok(boss1->call("conclusion.add", Doc{{"case_no", b}, {"kind", "false_accusation"}, {"summary", "经查，举报内容系捏造"},
                                        {"fabrication_finding", "举报人承认为报复故意编造收受现金情节，并伪造转账截图"}}));
  CHECK(events_of(c, "report.concluded").size() == 1);  // no effect downstream yet
  auto own = boss1->call("conclusion.approve", Doc{{"case_no", b}, {"approve", true}, {"reason", "同意"}});
  CHECK(own->code == "forbidden");
  CHECK(own->message.find("the proposer of a finding cannot approve it") == 0);
  CHECK(officer->call("conclusion.approve", Doc{{"case_no", b}, {"approve", true}, {"reason", "同意"}})->code == "forbidden");
  ok(boss2->call("conclusion.approve", Doc{{"case_no", b}, {"approve", true}, {"reason", "证据确凿，同意认定"}}));
  auto concluded = events_of(c, "report.concluded");
  REQUIRE(concluded.size() == 2);
  CHECK(concluded[1]["data"]["kind"] == "false_accusation");
  CHECK(concluded[1]["data"]["reporter_keys"]["phone"].get<std::string>().size() == 64);  // for the registry, no identity
  CHECK(concluded[1].dump().find(cq::test::sample_report(12)["reporter"]["phone"].get<std::string>()) == std::string::npos);

  // On appeal the finding is revised, with a reason; the revision is an event.
  CHECK(officer->call("conclusion.revise", Doc{{"case_no", b}, {"kind", "untrue"}, {"summary", "x"}})->message == "body.reason: missing (required)");
  ok(officer->call("conclusion.revise", Doc{{"case_no", b}, {"kind", "untrue"}, {"summary", "复查认为系错告而非诬告"},
                                             {"reason", "申诉复查：举报人系误认，无捏造故意"}}));
  auto revised = events_of(c, "report.conclusion_revised");
  REQUIRE(revised.size() == 1);
  CHECK(revised[0]["data"]["previous_kind"] == "false_accusation");
  CHECK(revised[0]["data"]["kind"] == "untrue");

  // Audit: every decision and conclusion left a row.
  Doc audit = ok(c.client("triage", "admin")->call("audit.list", Doc::object()));
  CHECK(audit["rows"].size() >= 6);
  CHECK(ok(c.client("triage", "admin")->call("audit.verify", Doc::object()))["intact"] == true);
}

TEST_CASE("triage: overdue work is listed with who holds it, and leaves the list when done") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  Doc old = cq::test::sample_report(21);
  old["received_at"] = "2026-10-09T10:00:00+08:00";  // triage due 5 working days later, long past
  std::string late = ok(clerk->call("report.submit", old))["case_no"];
  suggestion(c, late);
  auto officer = c.client("triage", "officer1");
  Doc od = ok(officer->call("triage.overdue", Doc::object()));
  std::set<std::string> whats;
  for (const auto& it : od["items"]) {
    CHECK(it["case_no"] == late);
    CHECK(it["overdue"] == true);
    CHECK(it["working_days_late"].get<int>() > 5);
    whats.insert(it["what"]);
  }
  CHECK(whats == std::set<std::string>{"triage decision", "acceptance notice to the real-name reporter"});
  ok(officer->call("report.notified", Doc{{"case_no", late}, {"what", "acceptance"}}));
  ok(officer->call("triage.decide", Doc{{"case_no", late}, {"disposal", "forward"}, {"forward_to", "省纪委监委"}}));
  od = ok(officer->call("triage.overdue", Doc{{"within_days", 10}}));
  REQUIRE(od["items"].size() == 1);
  CHECK(od["items"][0]["what"] == "forward to the competent body");
  CHECK(od["items"][0]["overdue"] == false);  // due within 5 working days
  CHECK(od["items"][0]["held_by"] == "officer1");
  CHECK(ok(officer->call("triage.overdue", Doc::object()))["items"].empty());
}

TEST_CASE("triage: an author flagged by the registry is weighed by keyed hash, and no longer once cleared") {
  // Triage's side alone: the registry's events are given by a stand-in built
  // on the same Service class, speaking the real protocol (the real registry
  // is exercised end to end in test_registry.cpp).
  Cluster::Options o = both();
  Cluster c(o);
  c.add_user("clerk1", "clerk");
  cq::Service registry("registry", c.config(), {});
  registry.on("test.emit", {"admin"}, [&](const cq::Request& r) -> cq::Result<Doc> {
    registry.outbox().append(r.body["type"], "A-1", Doc{{"hashes", r.body["hashes"]}});
    return Doc::object();
  });
  std::thread reg_thread([&] { registry.run(); });
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  Doc first = cq::test::sample_report(31);
  std::string a = ok(clerk->call("report.submit", first))["case_no"];
  Doc s1 = suggestion(c, a);
  CHECK_FALSE(fired(s1, "known-false-accuser"));
  // What the registry would say: this author's keyed hash has a finding.
  Doc ev = ok(c.client("intake", "admin")->call("events.fetch", Doc{{"after", 0}}));
  std::string hash = ev["events"][0]["data"]["reporter_keys"]["phone"];
  auto to_registry = c.client("registry", "admin");
  ok(to_registry->call("test.emit", Doc{{"type", "accuser.flagged"}, {"hashes", Doc::array({hash})}}));
  std::this_thread::sleep_for(1500ms);  // announced at once; polled every second anyway
  Doc next = cq::test::sample_report(32);
  next["reporter"]["phone"] = first["reporter"]["phone"];
  std::string b = ok(clerk->call("report.submit", next))["case_no"];
  Doc s2 = suggestion(c, b);
  CHECK(fired(s2, "known-false-accuser"));
  CHECK(s2["suggestion"]["class"] == "suspected_malicious");
  // An appeal cleared the finding: the next report is not weighed by it.
  ok(to_registry->call("test.emit", Doc{{"type", "accuser.cleared"}, {"hashes", Doc::array({hash})}}));
  std::this_thread::sleep_for(1500ms);
  Doc third = cq::test::sample_report(33);
  third["reporter"]["phone"] = first["reporter"]["phone"];
  std::string d = ok(clerk->call("report.submit", third))["case_no"];
  CHECK_FALSE(fired(suggestion(c, d), "known-false-accuser"));
  registry.stop();
  reg_thread.join();
}

TEST_CASE("triage: repeating allegations already concluded untrue, with nothing new, is a sign") {
  Cluster c(both());
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  auto officer = c.client("triage", "officer1");
  Doc first = cq::test::sample_report(51);
  std::string a = ok(clerk->call("report.submit", first))["case_no"];
  suggestion(c, a);
  ok(officer->call("triage.decide", Doc{{"case_no", a}, {"disposal", "preliminary_verification"}}));
  ok(officer->call("conclusion.add", Doc{{"case_no", a}, {"kind", "untrue"}, {"summary", "经核查不属实"}}));
  Doc again = cq::test::sample_report(52, true);
  again["accused"] = first["accused"];
  again["summary"] = "再次反映" + first["accused"][0]["name"].get<std::string>() + "的问题";
  again["details"] = "之前反映的问题没有处理，要求严肃查处。";
  again.erase("specifics");
  std::string b = ok(clerk->call("report.submit", again))["case_no"];
  Doc s = suggestion(c, b);
  CHECK(fired(s, "repeats-untrue"));
  CHECK(s["suggestion"]["class"] == "suspected_malicious");
  // With a new, checkable fact it is not.
  Doc fresh = again;
  fresh["details"] = "新线索：2026年10月8日他又在办公室收受现金2万元，有转账记录。";
  std::string f = ok(clerk->call("report.submit", fresh))["case_no"];
  CHECK_FALSE(fired(suggestion(c, f), "repeats-untrue"));
}
