// cq as a person uses it: exit codes, output, import with progress, cq up.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "../support/samples.h"
#include "cluster.h"

using cq::Doc;
using cq::test::Cluster;
using cq::test::CommandResult;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }
}  // namespace

TEST_CASE("cq: submit, show, status and list, with --json and clear errors") {
  Cluster::Options o;
  o.edit_config = [](std::string& t) { t.replace(t.find("request_timeout_ms = 5000"), 25, "request_timeout_ms = 800"); };
  Cluster c(o);
  c.start_all();
  auto add = c.cq({"user", "add", "clerk1", "--role", "clerk"});
  REQUIRE(add.exit_code == 0);
  CHECK(has(add.out, "added user clerk1 (role clerk)"));
  CHECK(c.cq({"user", "add", "x", "--role", "emperor"}).exit_code == 2);

  fs::path f = c.dir() / "report.json";
  { std::ofstream(f) << cq::test::sample_report(1).dump(); }
  auto sub = c.cq({"--as", "clerk1", "submit", "--file", f.string(), "--json"});
  REQUIRE_MESSAGE(sub.exit_code == 0, sub.err);
  Doc saved = Doc::parse(sub.out);
  std::string case_no = saved["case_no"];

  auto flags = c.cq({"--as", "clerk1", "submit", "--channel", "visit", "--anonymous", "--accused",
                     "王某,北山县水利局,局长,division,beishan", "--category", "dereliction", "--summary",
                     "水库闸门维修未走采购程序", "--received-at", "2026-11-18T10:00"});
  REQUIRE_MESSAGE(flags.exit_code == 0, flags.err);
  CHECK(has(flags.out, "case number   XF2026-"));
  CHECK(has(flags.out, "query code"));

  auto show = c.cq({"--as", "clerk1", "show", case_no});
  CHECK(show.exit_code == 0);
  CHECK(has(show.out, "测试干部1"));
  CHECK(has(show.out, "real name (identity on file, encrypted)"));
  CHECK_FALSE(has(show.out, "13900000001"));
  CHECK(c.cq({"--as", "clerk1", "show", case_no, "--identity"}).exit_code == 2);  // needs --purpose
  auto ident = c.cq({"--as", "clerk1", "show", case_no, "--identity", "--purpose", "寄送告知书", "--json"});
  REQUIRE(ident.exit_code == 0);
  CHECK(Doc::parse(ident.out)["reporter"]["identity"]["phone"] == "13900000001");

  auto status = c.cq({"--as", "clerk1", "status", saved["query_code"], "--json"});
  CHECK(status.exit_code == 0);
  CHECK(Doc::parse(status.out)["status"] == "registered");

  auto list = c.cq({"--as", "clerk1", "list", "--json"});
  CHECK(Doc::parse(list.out)["items"].size() == 2);
  auto table = c.cq({"--as", "clerk1", "list", "--region", "beishan"});
  CHECK(has(table.out, "王某"));
  CHECK(has(table.out, "1 report(s)"));

  // Errors: stderr, non-zero, and they say what was wrong and where.
  auto bad = c.cq({"--as", "clerk1", "submit", "--channel", "fax", "--anonymous", "--accused", "张三,,,,nowhere",
                   "--category", "corruption", "--summary", "x"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "body.channel: unknown channel 'fax'"));
  CHECK(has(bad.err, "body.accused[0].region: unknown region 'nowhere'"));
  auto nf = c.cq({"--as", "clerk1", "show", "XF2026-999999"});
  CHECK(nf.exit_code == 1);
  CHECK(has(nf.err, "no report with case number XF2026-999999"));
  auto nokey = c.cq({"--as", "nobody", "list"});
  CHECK(nokey.exit_code == 2);
  CHECK(has(nokey.err, "no key for user 'nobody'"));
  CHECK(c.cq({"--help"}).exit_code == 0);
  CHECK(has(c.cq({"submit", "--help"}).out, "--reporter-name"));

  c.stop("intake");
  auto down = c.cq({"--as", "clerk1", "list"});
  CHECK(down.exit_code == 3);
  CHECK(has(down.err, "no answer from"));
}

TEST_CASE("cq import: bad lines by number, good lines saved, the same file twice adds nothing") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  fs::path f = c.dir() / "batch.jsonl";
  {
    std::ofstream out(f);
    for (int i = 1; i <= 30; ++i) {
      Doc r = cq::test::sample_report(500 + i);
      r["external_id"] = "old-system-" + std::to_string(i);
      if (i == 7) r["channel"] = "telegram";     // line 7: unknown channel
      if (i == 12) r.erase("external_id");      // line 12: no external id
      if (i == 20) { out << "{not json\n"; continue; }  // line 20: not JSON
      out << r.dump() << "\n";
    }
  }
  auto first = c.cq({"--as", "clerk1", "import", f.string(), "--batch", "8"});
  CHECK(first.exit_code == 1);  // some lines were bad
  CHECK(has(first.out, "27 saved, 0 already there, 3 bad"));
  CHECK(has(first.err, "batch.jsonl:7: report.channel: unknown channel 'telegram'"));
  CHECK(has(first.err, "batch.jsonl:12: report.external_id: missing"));
  CHECK(has(first.err, "batch.jsonl:20: (line): not valid JSON"));
  CHECK(has(first.err, "30/30 lines"));  // the progress bar reached the end

  auto second = c.cq({"--as", "clerk1", "import", f.string(), "--json"});
  Doc s = Doc::parse(second.out);
  CHECK(s["saved"] == 0);
  CHECK(s["existing"] == 27);
  CHECK(s["failed"] == 3);
  auto all = c.cq({"--as", "clerk1", "list", "--all", "--limit", "10", "--json"});
  CHECK(Doc::parse(all.out)["items"].size() == 27);
}

TEST_CASE("cq up: restarts a crashed service and stops everything on SIGTERM") {
  Cluster c;
  cq::test::Process up({std::string(CQ_BIN_DIR) + "/cq", "--config", c.config_file().string(), "up"},
                       c.dir() / "up.log");
  REQUIRE(c.wait_ready("intake"));
  auto admin = c.client("intake", "admin", 1000, 1);
  auto first = admin->call("ping", Doc::object());
  REQUIRE(first.ok());
  int pid = first->body["pid"];
  ::kill(pid, SIGKILL);
  std::this_thread::sleep_for(200ms);
  REQUIRE(c.wait_ready("intake", 15000));
  auto again = c.client("intake", "admin", 1000, 1)->call("ping", Doc::object());
  REQUIRE(again.ok());
  CHECK(again->body["pid"] != pid);
  up.signal(SIGTERM);
  CHECK(up.wait(15000) == 0);
  CHECK(::kill(again->body["pid"].get<int>(), 0) != 0);  // the service is gone too
  auto log = cq::test::slurp(c.dir() / "up.log");
  CHECK(has(log, "restarting in"));
  CHECK(has(log, "all services stopped"));
}

TEST_CASE("cq triage, conclude, conclusion and overdue, as an officer and an approver would type them") {
  Cluster::Options o;
  o.services = {"intake", "triage"};
  Cluster c(o);
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.add_user("boss1", "approver");
  c.start_all();
  fs::path f = c.dir() / "r.json";
  { std::ofstream(f) << cq::test::sample_report(61).dump(); }
  Doc saved = Doc::parse(c.cq({"--as", "clerk1", "submit", "--file", f.string(), "--json"}).out);
  std::string case_no = saved["case_no"];
  CommandResult show;
  for (int i = 0; i < 100; ++i) {  // triage picks the report up from intake's events
    show = c.cq({"triage", "show", case_no});
    if (show.exit_code == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE_MESSAGE(show.exit_code == 0, show.err);
  CHECK(has(show.out, "suggestion    verifiable"));
  CHECK(has(show.out, "a suggestion, not a verdict"));
  CHECK(has(show.out, "反映问题涉及具体金额"));
  auto queue = c.cq({"triage", "queue"});
  CHECK(has(queue.out, case_no));
  CHECK(has(queue.out, "1 open report(s)"));

  auto override_no_reason = c.cq({"--as", "officer1", "triage", "decide", case_no, "--class", "vague", "--disposal", "hold"});
  CHECK(override_no_reason.exit_code == 1);
  CHECK(has(override_no_reason.err, "body.reason: missing: overriding the suggestion"));
  auto decide = c.cq({"--as", "officer1", "triage", "decide", case_no, "--disposal", "preliminary_verification"});
  REQUIRE_MESSAGE(decide.exit_code == 0, decide.err);
  CHECK(has(decide.out, "(suggestion confirmed)"));

  auto propose = c.cq({"--as", "officer1", "conclude", case_no, "--as", "false-accusation", "--summary", "经查系捏造",
                       "--finding", "举报人承认故意编造并伪造转账截图"});
  REQUIRE_MESSAGE(propose.exit_code == 0, propose.err);
  CHECK(has(propose.out, "(proposed)"));
  CHECK(has(propose.out, "a second person with the approver role"));
  auto approve = c.cq({"--as", "boss1", "conclusion", "approve", case_no, "--reason", "证据确凿"});
  REQUIRE_MESSAGE(approve.exit_code == 0, approve.err);
  CHECK(has(approve.out, "conclusion effective"));
  auto revise = c.cq({"--as", "officer1", "conclusion", "revise", case_no, "--as", "untrue", "--summary", "复查为错告",
                      "--reason", "申诉复查"});
  CHECK(has(revise.out, "false_accusation → untrue (effective)"));

  auto overdue = c.cq({"--as", "officer1", "overdue", "--json"});
  REQUIRE(overdue.exit_code == 0);
  Doc od = Doc::parse(overdue.out);
  bool feedback = false;
  for (const auto& it : od["items"]) feedback |= it["what"] == "conclusion feedback to the real-name reporter";
  CHECK_FALSE(feedback);  // due in 15 working days, not yet
  auto soon = Doc::parse(c.cq({"--as", "officer1", "overdue", "--within", "20", "--json"}).out);
  feedback = false;
  for (const auto& it : soon["items"]) feedback |= it["what"] == "conclusion feedback to the real-name reporter";
  CHECK(feedback);
  CHECK(c.cq({"--as", "officer1", "notified", case_no, "--conclusion"}).exit_code == 0);
  soon = Doc::parse(c.cq({"--as", "officer1", "overdue", "--within", "20", "--json"}).out);
  for (const auto& it : soon["items"]) CHECK(it["what"] != "conclusion feedback to the real-name reporter");
  CHECK(c.cq({"--as", "officer1", "notified", case_no}).exit_code == 2);  // say which
}
