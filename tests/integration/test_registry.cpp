// The false-accuser registry through real processes: intake registers,
// triage suggests and records conclusions, the registry flags, and triage
// hears back by keyed hash.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "cluster.h"
#include "replies.h"
#include "cq/keys.h"
#include "samples.h"

using cq::Doc;
using cq::test::Cluster;
using cq::test::ok;
using cq::test::refused;
using namespace std::chrono_literals;

namespace {
Cluster::Options all_three() {
  Cluster::Options o;
  o.services = {"intake", "triage", "registry"};
  return o;
}

// A made-up resident ID number with a correct check digit.
std::string id_number(int n) {
  std::string s = "110101198001" + std::to_string(1000 + n % 9000).substr(0, 2) + std::to_string(100 + n % 900);
  s = s.substr(0, 17);
  static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (s[i] - '0') * w[i];
  return s + "10X98765432"[sum % 11];
}

// A real-name report by person p (same name, ID number and phone each time).
Doc report_by(int person, int n) {
  Doc r = cq::test::sample_report(n);
  r["reporter"]["name"] = "测试举报人甲" + std::to_string(person);
  r["reporter"]["phone"] = std::to_string(13600000000LL + person);
  r["reporter"]["id_number"] = id_number(person);
  return r;
}

struct Staff {
  Cluster& c;
  std::unique_ptr<cq::Client> clerk, officer, approver, accuser_officer, supervisor, admin_triage, admin_registry;
  explicit Staff(Cluster& cl) : c(cl) {
    clerk = c.client("intake", "clerk1");
    officer = c.client("triage", "officer1");
    approver = c.client("triage", "approver1");
    accuser_officer = c.client("registry", "acc1");
    supervisor = c.client("registry", "sup1");
    admin_triage = c.client("triage", "admin");
    admin_registry = c.client("registry", "admin");
  }
  void reconnect_registry() {
    accuser_officer = c.client("registry", "acc1");
    supervisor = c.client("registry", "sup1");
    admin_registry = c.client("registry", "admin");
  }
  // Waits for triage's suggestion, then decides for verification.
  Doc triaged(const std::string& case_no) {
    return cq::test::eventually_ok(*admin_triage, "triage.show", Doc{{"case_no", case_no}});
  }
  void decide(const std::string& case_no) {
    triaged(case_no);
    ok(officer->call("triage.decide", Doc{{"case_no", case_no}, {"disposal", "preliminary_verification"}}));
  }
  // Concludes; a false accusation is approved by a second person unless told not to.
  void conclude(const std::string& case_no, const std::string& kind, bool approve = true) {
    Doc body{{"case_no", case_no}, {"kind", kind}, {"summary", "经核查，反映问题不属实"}};
    if (kind == "false_accusation") body["fabrication_finding"] = "举报人明知无此事，伪造转账截图，故意捏造事实";
    ok(officer->call("conclusion.add", body));
    if (kind == "false_accusation" && approve)
      ok(approver->call("conclusion.approve", Doc{{"case_no", case_no}, {"approve", true}, {"reason", "证据确实充分"}}));
  }
  std::string submit(const Doc& r) { return ok(clerk->call("report.submit", r))["case_no"]; }
  // Until the registry has applied everything triage emitted, and triage
  // everything the registry emitted.
  void settle() {
    for (int i = 0; i < 600; ++i) {
      auto t = admin_triage->call("ping", Doc::object());
      auto g = admin_registry->call("ping", Doc::object());
      if (t && t->ok && g && g->ok && g->body["cursors"]["triage"] == t->body["last_event"] &&
          t->body["cursors"]["registry"] == g->body["last_event"])
        return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL("registry and triage did not catch up with each other");
  }
  Doc records() { return ok(admin_registry->call("accuser.list", Doc::object()))["items"]; }
};

bool fired(const Doc& s, const std::string& rule) {
  for (const auto& f : s["suggestion"]["fired"])
    if (f["rule"] == rule) return true;
  return false;
}

void add_staff(Cluster& c) {
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.add_user("approver1", "approver");
  c.add_user("acc1", "accuser_officer");
  c.add_user("sup1", "supervisor");
}
}  // namespace

TEST_CASE("registry: a false accusation flags its author; triage weighs the next report; an appeal clears it") {
  Cluster c(all_three());
  add_staff(c);
  c.start_all();
  Staff s(c);
  std::string a = s.submit(report_by(1, 101));
  s.decide(a);
  s.conclude(a, "false_accusation");
  s.settle();
  Doc recs = s.records();
  REQUIRE(recs.size() == 1);
  std::string number = recs[0]["number"];
  CHECK(recs[0]["state"] == "flagged");
  CHECK(recs[0]["findings"] == 1);
  CHECK(recs[0]["repeat"] == false);

  // The same author's next report carries the known-false-accuser sign.
  std::string b = s.submit(report_by(1, 102));
  Doc sb = s.triaged(b);
  CHECK(fired(sb, "known-false-accuser"));

  // Appeal: the conclusion is revised to untrue; the record is cleared with
  // its history kept, and triage stops weighing it.
  ok(s.officer->call("conclusion.revise", Doc{{"case_no", a}, {"kind", "untrue"}, {"summary", "复查认定为错告"},
                                              {"reason", "申诉复查：举报人系误认，并非故意捏造"}}));
  s.settle();
  Doc rec = ok(s.admin_registry->call("accuser.show", Doc{{"number", number}}));
  CHECK(rec["state"] == "cleared");
  CHECK(rec["findings"] == 0);
  REQUIRE(rec["finding_list"].size() == 1);
  CHECK(rec["finding_list"][0]["active"] == false);
  CHECK(rec["finding_list"][0]["removed_reason"] == "申诉复查：举报人系误认，并非故意捏造");
  std::vector<std::string> states;
  for (const auto& h : rec["history"]) states.push_back(h["to"]);
  CHECK(states.front() == "flagged");
  CHECK(states.back() == "cleared");
  std::string d = s.submit(report_by(1, 103));
  CHECK_FALSE(fired(s.triaged(d), "known-false-accuser"));
  // A cleared record cannot be acted on.
  CHECK(refused(s.accuser_officer->call("accuser.review", Doc{{"number", number}, {"reason", "复核"}})).find("cleared") !=
        std::string::npos);
}

TEST_CASE("registry: untrue conclusions, anonymous reports, unapproved findings and triage suspicion never make a record") {
  Cluster c(all_three());
  add_staff(c);
  c.start_all();
  Staff s(c);
  // Untrue: an honest mistake.
  std::string u = s.submit(report_by(2, 201));
  s.decide(u);
  s.conclude(u, "untrue");
  // No evidence either way.
  std::string ne = s.submit(report_by(3, 202));
  s.decide(ne);
  s.conclude(ne, "no_evidence");
  // A false accusation on an anonymous report: no identity, no record.
  std::string anon = s.submit(cq::test::sample_report(203, true));
  s.decide(anon);
  s.conclude(anon, "false_accusation");
  // A false accusation proposed but not (yet) approved.
  std::string pending = s.submit(report_by(4, 204));
  s.decide(pending);
  s.conclude(pending, "false_accusation", false);
  // Triage's suspicion alone: abuse without facts, decided but not concluded.
  Doc abusive = report_by(5, 205);
  abusive["summary"] = "某干部就是个贪官";
  abusive["details"] = "这个人坏透了，贪污腐败，大家都恨他，必须撤职！！！";
  abusive.erase("specifics");
  std::string sus = s.submit(abusive);
  Doc sg = s.triaged(sus);
  CHECK(sg["suggestion"]["class"] == "suspected_malicious");
  ok(s.officer->call("triage.decide", Doc{{"case_no", sus}, {"disposal", "close"}}));
  s.settle();
  CHECK(s.records().empty());
  // The same flow with an approved false accusation does make one (the test can fail).
  ok(s.approver->call("conclusion.approve", Doc{{"case_no", pending}, {"approve", true}, {"reason", "证据确实充分"}}));
  s.settle();
  CHECK(s.records().size() == 1);
}

TEST_CASE("registry: due process by accuser case officers; audited identity; repeat offenders; anonymised notices") {
  Cluster c(all_three());
  add_staff(c);
  c.start_all();
  Staff s(c);
  Doc first = report_by(7, 301);
  std::string a = s.submit(first);
  s.decide(a);
  s.conclude(a, "false_accusation");
  s.settle();
  std::string number = s.records()[0]["number"];

  // Roles: other staff see the record by its number, never the identity, and cannot act.
  auto officer_reg = c.client("registry", "officer1");
  Doc seen = ok(officer_reg->call("accuser.show", Doc{{"number", number}}));
  CHECK_FALSE(seen.contains("identity"));
  CHECK(seen.dump().find(first["reporter"]["name"].get<std::string>()) == std::string::npos);
  CHECK(refused(officer_reg->call("accuser.identity", Doc{{"number", number}, {"purpose", "想看看"}})).rfind("forbidden", 0) == 0);
  CHECK(refused(officer_reg->call("accuser.review", Doc{{"number", number}, {"reason", "复核"}})).rfind("forbidden", 0) == 0);
  CHECK(refused(s.supervisor->call("accuser.act", Doc{{"number", number}, {"reason", "情节轻微"}, {"action", "criticism"}}))
            .rfind("forbidden", 0) == 0);
  CHECK(refused(c.client("registry", "clerk1")->call("accuser.list", Doc::object())).rfind("forbidden", 0) == 0);

  // Identity: accuser case officers only, with a purpose, audited.
  CHECK(refused(s.accuser_officer->call("accuser.identity", Doc{{"number", number}})).find("body.purpose") != std::string::npos);
  Doc who = ok(s.accuser_officer->call("accuser.identity", Doc{{"number", number}, {"purpose", "立案审查，核实举报人身份"}}));
  CHECK(who["identity"]["name"] == first["reporter"]["name"]);
  CHECK(who["identity"]["id_number"] == first["reporter"]["id_number"]);
  Doc audit = ok(s.admin_registry->call("audit.list", Doc::object()))["rows"];
  int reads = 0;
  for (const auto& row : audit)
    if (row["action"] == "accuser.identity.read") {
      ++reads;
      CHECK(row["user"] == "acc1");
      CHECK(row["subject"] == number);
      CHECK(row["purpose"] == "立案审查，核实举报人身份");
    }
  CHECK(reads == 1);
  bool intake_side = false;
  Doc intake_audit = ok(c.client("intake", "admin")->call("audit.list", Doc::object()))["rows"];
  for (const auto& row : intake_audit)
    if (row["action"] == "reporter.identity.read" && row["user"] == "registry for acc1" && row["subject"] == a)
      intake_side = true;
  CHECK(intake_side);
  // Another service may not read identities through intake.
  auto triage_keys = cq::load_curve_keys(cq::KeyPaths{c.config().keys_dir}.service("triage"));
  REQUIRE(triage_keys.ok());
  auto as_triage = c.client_with_keys("intake", *triage_keys);
  CHECK(refused(as_triage->call("report.identity", Doc{{"case_no", a}, {"purpose", "想看看"}, {"on_behalf_of", "x"}})) ==
        "forbidden: the triage service may not read reporters' identities");

  // Due process, in order, each with a reason.
  std::string early = refused(s.accuser_officer->call("accuser.act", Doc{{"number", number}, {"reason", "情节轻微"}, {"action", "criticism"}}));
  CHECK(early == "conflict: " + number + " is flagged, not under_review: review it first (cq accusers review)");
  CHECK(refused(s.accuser_officer->call("accuser.review", Doc{{"number", number}})).find("body.reason") != std::string::npos);
  CHECK(ok(s.accuser_officer->call("accuser.review", Doc{{"number", number}, {"reason", "启动查处程序"}}))["state"] ==
        "under_review");
  std::string bad = refused(s.accuser_officer->call("accuser.act", Doc{{"number", number}, {"reason", "情节轻微"}, {"action", "jail"}}));
  CHECK(bad.find("unknown action 'jail'") != std::string::npos);
  CHECK(ok(s.accuser_officer->call("accuser.act", Doc{{"number", number}, {"reason", "情节较轻"}, {"action", "criticism"}}))["state"] ==
        "action_decided");

  // A second finding by the same person (found by ID number alone, new phone): one record, a repeat offender.
  Doc second = report_by(7, 302);
  second["reporter"]["phone"] = "13511112222";
  std::string b = s.submit(second);
  s.decide(b);
  s.conclude(b, "false_accusation");
  s.settle();
  Doc recs = s.records();
  REQUIRE(recs.size() == 1);
  CHECK(recs[0]["findings"] == 2);
  CHECK(recs[0]["repeat"] == true);
  CHECK(recs[0]["state"] == "action_decided");  // a new finding while in process keeps the process going
  CHECK(ok(s.admin_registry->call("accuser.show", Doc{{"number", number}}))["repeat"] == true);
  CHECK(ok(s.admin_registry->call("accuser.list", Doc{{"repeat", true}}))["items"].size() == 1);

  // Typical case: prepared by an accuser case officer, approved by a supervisor, anonymised.
  CHECK(refused(s.supervisor->call("accuser.publish", Doc{{"number", number}})).rfind("forbidden", 0) == 0);
  Doc notice = ok(s.accuser_officer->call("accuser.publish", Doc{{"number", number}}));
  CHECK(notice["state"] == "proposed");
  CHECK(notice["repeat"] == true);
  std::string text = notice.dump();
  std::vector<std::string> identities;
  for (const Doc* r : {&first, &second}) {
    for (const char* k : {"name", "phone", "id_number", "address"}) identities.push_back((*r)["reporter"][k]);
    for (const auto& x : (*r)["accused"]) {
      identities.push_back(x["name"]);
      identities.push_back(x["unit"]);
    }
  }
  identities.push_back(id_number(7).substr(6, 8));  // the birth date inside the ID number
  for (const auto& id : identities) CHECK_MESSAGE(text.find(id) == std::string::npos, "the notice contains " << id);
  CHECK(notice["text_zh"].get<std::string>().find("批评教育") != std::string::npos);
  std::string nno = notice["notice"];
  CHECK(refused(s.accuser_officer->call("accuser.notice.decide", Doc{{"notice", nno}, {"approve", true}, {"reason", "同意"}}))
            .rfind("forbidden", 0) == 0);
  ok(s.supervisor->call("accuser.notice.decide", Doc{{"notice", nno}, {"approve", true}, {"reason", "同意公开通报"}}));
  Doc evs = ok(s.admin_registry->call("events.fetch", Doc{{"after", 0}}))["events"];
  bool published = false;
  for (const auto& e : evs) {
    if (e["type"] == "accuser.notice_published") {
      published = true;
      CHECK(e["data"]["text_zh"] == notice["text_zh"]);
    }
    // No event names anyone: flagged/cleared carry keyed hashes only.
    for (const auto& id : identities) CHECK(e.dump().find(id) == std::string::npos);
  }
  CHECK(published);

  CHECK(ok(s.accuser_officer->call("accuser.close", Doc{{"number", number}, {"reason", "处理完毕"}}))["state"] == "closed");
  Doc hist = ok(s.admin_registry->call("accuser.show", Doc{{"number", number}}))["history"];
  std::set<std::string> bys;
  for (const auto& h : hist) bys.insert(h["by"]);
  CHECK(bys.count("acc1") == 1);
  CHECK(bys.count("sup1") == 1);
}

TEST_CASE("registry: kill -9 during a stream of conclusions; one record per person, every finding linked once") {
  Cluster c(all_three());
  add_staff(c);
  c.start_all();
  Staff s(c);
  const int persons = 5, each = 4;
  std::map<std::string, int> person_of;  // case -> person
  for (int p = 0; p < persons; ++p)
    for (int k = 0; k < each; ++k) {
      std::string cn = s.submit(report_by(20 + p, 400 + p * each + k));
      person_of[cn] = p;
    }
  for (const auto& [cn, p] : person_of) s.decide(cn);
  std::atomic<int> concluded{0};
  std::thread stream([&] {
    auto officer = c.client("triage", "officer1");
    auto approver = c.client("triage", "approver1");
    for (const auto& [cn, p] : person_of) {
      auto r1 = officer->call("conclusion.add", Doc{{"case_no", cn}, {"kind", "false_accusation"}, {"summary", "不属实"},
                                                    {"fabrication_finding", "故意捏造"}});
      auto r2 = approver->call("conclusion.approve", Doc{{"case_no", cn}, {"approve", true}, {"reason", "同意"}});
      if (r1 && r1->ok && r2 && r2->ok) ++concluded;
      std::this_thread::sleep_for(20ms);
    }
  });
  while (concluded < 6) std::this_thread::sleep_for(5ms);
  c.kill9("registry");
  std::this_thread::sleep_for(200ms);
  c.start("registry");
  REQUIRE(c.wait_ready("registry"));
  while (concluded < 14) std::this_thread::sleep_for(5ms);
  c.kill9("registry");
  c.start("registry");
  REQUIRE(c.wait_ready("registry"));
  stream.join();
  REQUIRE(concluded == persons * each);
  s.reconnect_registry();
  s.settle();
  Doc recs = s.records();
  CHECK(recs.size() == persons);
  std::set<std::string> cases;
  int links = 0;
  for (const auto& r : recs) {
    CHECK(r["findings"] == each);
    Doc full = ok(s.admin_registry->call("accuser.show", Doc{{"number", r["number"]}}));
    std::set<int> people;
    for (const auto& f : full["finding_list"]) {
      ++links;
      cases.insert(f["case_no"]);
      people.insert(person_of.at(f["case_no"]));
    }
    CHECK(people.size() == 1);  // a record is one person
  }
  CHECK(links == persons * each);
  CHECK(cases.size() == person_of.size());
}

TEST_CASE("registry: cq accusers list, show, review, act, close, publish and approve, as tables and JSON") {
  Cluster c(all_three());
  add_staff(c);
  c.start_all();
  Staff s(c);
  Doc first = report_by(9, 501);
  std::string a = s.submit(first);
  s.decide(a);
  s.conclude(a, "false_accusation");
  s.settle();
  auto list = c.cq({"--as", "acc1", "accusers", "list"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("flagged") != std::string::npos);
  CHECK(list.out.find("1 record(s)") != std::string::npos);
  auto js = c.cq({"--as", "acc1", "accusers", "list", "--json"});
  REQUIRE(js.exit_code == 0);
  std::string number = Doc::parse(js.out)["items"][0]["number"];

  auto need_purpose = c.cq({"--as", "acc1", "accusers", "show", number, "--identity"});
  CHECK(need_purpose.exit_code == 2);
  CHECK(need_purpose.err.find("--purpose") != std::string::npos);
  auto shown = c.cq({"--as", "acc1", "accusers", "show", number, "--identity", "--purpose", "审查需要"});
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find(first["reporter"]["name"].get<std::string>()) != std::string::npos);
  CHECK(shown.out.find("identity (read audited)") != std::string::npos);
  auto as_officer = c.cq({"--as", "officer1", "accusers", "show", number, "--identity", "--purpose", "审查需要"});
  CHECK(as_officer.exit_code == 1);
  CHECK(as_officer.out.find(first["reporter"]["name"].get<std::string>()) == std::string::npos);
  auto plain = c.cq({"--as", "officer1", "accusers", "show", number});
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.out.find(first["reporter"]["name"].get<std::string>()) == std::string::npos);
  CHECK(plain.out.find(a) != std::string::npos);

  CHECK(c.cq({"--as", "acc1", "accusers", "act", number, "--action", "criticism", "--reason", "情节较轻"}).exit_code == 1);
  CHECK(c.cq({"--as", "acc1", "accusers", "review", number, "--reason", "启动查处"}).exit_code == 0);
  auto act = c.cq({"--as", "acc1", "accusers", "act", number, "--action", "criticism", "--reason", "情节较轻"});
  CHECK(act.exit_code == 0);
  CHECK(act.out.find("action_decided") != std::string::npos);
  auto pub = c.cq({"--as", "acc1", "accusers", "publish", number});
  REQUIRE(pub.exit_code == 0);
  CHECK(pub.out.find("批评教育") != std::string::npos);
  auto notices = c.cq({"--as", "sup1", "accusers", "notices", "--json"});
  REQUIRE(notices.exit_code == 0);
  std::string nno = Doc::parse(notices.out)["items"][0]["notice"];
  auto approve = c.cq({"--as", "sup1", "accusers", "approve", nno, "--reason", "同意通报"});
  CHECK(approve.exit_code == 0);
  CHECK(approve.out.find("approved") != std::string::npos);
  CHECK(c.cq({"--as", "acc1", "accusers", "close", number, "--reason", "处理完毕"}).exit_code == 0);
  CHECK(c.cq({"--as", "acc1", "accusers", "list", "--state", "closed", "--json"}).out.find(number) != std::string::npos);
}
