// Intake through the real process, as clients would use it.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "../support/samples.h"
#include "cluster.h"
#include "cq/consumer.h"
#include "cq/crypto.h"

using cq::Doc;
using cq::test::Cluster;
using cq::test::sample_report;
namespace fs = std::filesystem;

namespace {
Doc ok(cq::Result<cq::Reply> r) {
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE_MESSAGE(r->ok, r->code << ": " << r->message);
  return r->body;
}
cq::Reply refused(cq::Result<cq::Reply> r) {
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE_FALSE(r->ok);
  return *r;
}
}  // namespace

TEST_CASE("intake: submit, get, list, status and identity read through the real service") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.add_user("boss", "supervisor");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");

  Doc saved = ok(clerk->call("report.submit", sample_report(1)));
  std::string case_no = saved["case_no"];
  std::string code = saved["query_code"];
  CHECK(case_no.rfind("XF2026-", 0) == 0);
  CHECK(saved["status"] == "registered");
  CHECK(code.size() == 19);

  Doc got = ok(clerk->call("report.get", Doc{{"case_no", case_no}}));
  CHECK(got["summary"] == sample_report(1)["summary"]);
  CHECK(got["accused"][0]["name"] == "测试干部1");
  CHECK(got["reporter"]["real_name"] == true);
  CHECK(got["reporter"]["identity_on_file"] == true);
  CHECK(got.dump().find("13900000001") == std::string::npos);  // no identity in an ordinary read
  CHECK(got["ack_due"] == "2026-12-07");  // 15 working days after Monday 2026-11-16
  CHECK(got["registered_by"] == "clerk1");

  // The reporter's query code, typed carelessly, gives status and dates only.
  std::string sloppy = code;
  std::transform(sloppy.begin(), sloppy.end(), sloppy.begin(), ::tolower);
  sloppy.erase(std::remove(sloppy.begin(), sloppy.end(), '-'), sloppy.end());
  Doc st = ok(clerk->call("report.status", Doc{{"query_code", sloppy}}));
  CHECK(st["status"] == "registered");
  CHECK(st["received_on"] == "2026-11-16");
  CHECK_FALSE(st.contains("case_no"));
  CHECK(st.dump().find("测试") == std::string::npos);
  CHECK(refused(clerk->call("report.status", Doc{{"query_code", "AAAA-BBBB-CCCC-DDDD"}})).code == "not_found");

  // Identity: only with a purpose, only for allowed roles, always audited.
  CHECK(refused(clerk->call("report.identity", Doc{{"case_no", case_no}})).message == "body.purpose: missing (required)");
  Doc id = ok(clerk->call("report.identity", Doc{{"case_no", case_no}, {"purpose", "寄送受理告知书"}}));
  CHECK(id["identity"]["phone"] == "13900000001");
  CHECK(id["identity"]["name"] == "测试举报人1");
  auto boss = c.client("intake", "boss");
  CHECK(refused(boss->call("report.identity", Doc{{"case_no", case_no}, {"purpose", "curious"}})).code == "forbidden");
  Doc audit = ok(boss->call("audit.list", Doc::object()));
  REQUIRE(audit["rows"].size() == 1);
  CHECK(audit["rows"][0]["user"] == "clerk1");
  CHECK(audit["rows"][0]["subject"] == case_no);
  CHECK(audit["rows"][0]["purpose"] == "寄送受理告知书");
  CHECK(ok(boss->call("audit.verify", Doc::object()))["rows"] == 1);

  // Listing with filters and paging.
  for (int i = 2; i <= 5; ++i) ok(clerk->call("report.submit", sample_report(i, i % 2 == 0)));
  Doc page = ok(clerk->call("report.list", Doc{{"limit", 2}}));
  CHECK(page["items"].size() == 2);
  REQUIRE(page["next_cursor"].is_number());
  Doc page2 = ok(clerk->call("report.list", Doc{{"limit", 10}, {"cursor", page["next_cursor"]}}));
  CHECK(page2["items"].size() == 3);
  CHECK(page2["next_cursor"].is_null());
  Doc anon = ok(clerk->call("report.list", Doc{{"real_name", false}}));
  CHECK(anon["items"].size() == 2);
  Doc online = ok(clerk->call("report.list", Doc{{"channel", "online"}, {"region", "nanhu"}}));
  CHECK(online["items"].size() == 2);  // even n are online
  CHECK(ok(clerk->call("report.list", Doc{{"region", "beishan"}}))["items"].empty());
  CHECK(refused(clerk->call("report.get", Doc{{"case_no", "XF2026-999999"}})).code == "not_found");
}

TEST_CASE("intake: repeats are linked to the original and kept on file, not new work") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  std::string first = ok(clerk->call("report.submit", sample_report(1)))["case_no"];

  // The same text sent again (here anonymously, by another channel).
  Doc again = sample_report(1, true);
  again["channel"] = "visit";
  Doc r1 = ok(clerk->call("report.submit", again));
  CHECK(r1["status"] == "merged");
  CHECK(r1["duplicate_of"] == first);
  CHECK(r1["duplicate_reason"] == "same_text");

  // The same reporter, accused and category with new wording, a week later.
  Doc reworded = sample_report(1);
  reworded["summary"] = "再次反映测试干部1的问题";
  reworded["details"] = "我之前已经举报过，至今没有处理结果，请尽快核查。";
  reworded["received_at"] = "2026-11-20T10:00:00+08:00";
  reworded["reporter"]["phone"] = "+86 139 0000 0001";  // same phone, written differently
  Doc r2 = ok(clerk->call("report.submit", reworded));
  CHECK(r2["status"] == "merged");
  CHECK(r2["duplicate_of"] == first);
  CHECK(r2["duplicate_reason"] == "same_reporter_accused_category");

  // Same accused and reporter but another category is new work.
  Doc other = reworded;
  other["category"] = "conduct";
  other["summary"] = "反映测试干部1工作作风粗暴";
  CHECK(ok(clerk->call("report.submit", other))["status"] == "registered");

  Doc orig = ok(clerk->call("report.get", Doc{{"case_no", first}}));
  CHECK(orig["duplicates"].size() == 2);
  Doc merged = ok(clerk->call("report.get", Doc{{"case_no", r2["case_no"]}}));
  CHECK(merged["ack_due"].is_null());  // a repeat triggers no new acceptance notice
  CHECK(merged["status"] == "merged");

  Doc events = ok(c.client("intake", "admin")->call("events.fetch", Doc{{"after", 0}}));
  std::vector<std::string> types;
  for (const auto& e : events["events"]) types.push_back(e["type"]);
  CHECK(types == std::vector<std::string>{"report.received", "report.merged", "report.merged", "report.received"});
  // Events carry keyed hashes for matching, never the identity itself.
  CHECK(events.dump().find("13900000001") == std::string::npos);
  CHECK(events.dump().find("测试举报人1") == std::string::npos);
  CHECK(events["events"][0]["data"]["reporter_keys"]["phone"].get<std::string>().size() == 64);
}

TEST_CASE("intake: a retried submit with the same request id is saved once") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  Doc a = ok(clerk->call("report.submit", sample_report(7), "retry-me-0001"));
  Doc b = ok(clerk->call("report.submit", sample_report(7), "retry-me-0001"));
  CHECK(a["case_no"] == b["case_no"]);
  CHECK(a["query_code"] == b["query_code"]);
  CHECK(b["replayed"] == true);
  CHECK(ok(clerk->call("report.list", Doc::object()))["items"].size() == 1);
  // external_id makes any later re-submission harmless too.
  Doc withx = sample_report(8);
  withx["external_id"] = "legacy-42";
  Doc x1 = ok(clerk->call("report.submit", withx));
  Doc x2 = ok(clerk->call("report.submit", withx));
  CHECK(x2["existing"] == true);
  CHECK(x2["case_no"] == x1["case_no"]);
}

TEST_CASE("intake: roles are checked in the service and unknown keys are refused") {
  Cluster c;
  c.add_user("boss", "supervisor");
  c.add_user("officer1", "officer");
  c.start_all();
  auto boss = c.client("intake", "boss");
  auto r = refused(boss->call("report.submit", sample_report(1)));
  CHECK(r.code == "forbidden");
  CHECK(r.message == "role 'supervisor' (user boss) may not send report.submit");
  CHECK(refused(c.client("intake", "officer1")->call("report.import", Doc{{"items", Doc::array()}})).code == "forbidden");

  auto stranger = c.client_with_keys("intake", cq::generate_curve_keys(), 1000, 1);
  auto s = stranger->call("report.submit", sample_report(1));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == "unauthenticated");

  // A user registered while the service runs is accepted without a restart.
  auto keys = c.add_user("clerk2", "clerk");
  CHECK(ok(c.client_with_keys("intake", keys)->call("report.submit", sample_report(2)))["status"] == "registered");
  CHECK(ok(boss->call("report.list", Doc::object()))["items"].size() == 1);
}

TEST_CASE("intake: endpoints on ipc work unchanged") {
  Cluster::Options o;
  o.ipc = true;
  Cluster c(o);
  c.add_user("clerk1", "clerk");
  c.start_all();
  CHECK(c.config().service("intake").request.rfind("ipc://", 0) == 0);
  auto clerk = c.client("intake", "clerk1");
  std::string case_no = ok(clerk->call("report.submit", sample_report(1)))["case_no"];
  CHECK(ok(clerk->call("report.get", Doc{{"case_no", case_no}}))["case_no"] == case_no);
}

TEST_CASE("events: a consumer applies every event exactly once, across failures and restarts") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  for (int i = 0; i < 25; ++i) ok(clerk->call("report.submit", sample_report(100 + i)));

  fs::path db = c.dir() / "consumer.db";
  cq::Store store(db, {"CREATE TABLE seen(case_no TEXT PRIMARY KEY, n INTEGER NOT NULL)"});
  cq::KeyRegistry reg(cq::KeyPaths{c.config().keys_dir}.registry());
  auto probe_keys = cq::generate_curve_keys();
  reg.set_service("probe", probe_keys.public_key);
  cq::Client::Options o;
  o.endpoint = c.config().service("intake").request;
  o.server_public = reg.service_key("intake").value();
  o.keys = probe_keys;
  o.timeout = std::chrono::milliseconds(3000);
  o.attempts = 1;
  int fail_at = 10, calls = 0;
  cq::Consumer consumer(c.ctx(), store, "intake", o, c.config().service("intake").publish, [&](const cq::Event& e) {
    if (++calls == fail_at) throw std::runtime_error("simulated crash while applying");
    auto& st = store.stmt("INSERT INTO seen(case_no, n) VALUES(?, 1) ON CONFLICT(case_no) DO UPDATE SET n = n + 1");
    st.bind(1, e.subject);
    st.exec();
  });
  CHECK_THROWS(consumer.catch_up(std::chrono::seconds(10)));  // the page failed: nothing of it was kept
  CHECK(consumer.cursor() == 0);
  CHECK(store.db().execAndGet("SELECT COUNT(*) FROM seen").getInt() == 0);
  auto n = consumer.catch_up(std::chrono::seconds(10));
  REQUIRE(n.ok());
  CHECK(*n == 25);
  CHECK(consumer.cursor() == 25);

  // More events after an intake restart; a re-pump applies only new ones.
  c.kill9("intake");
  c.start("intake");
  REQUIRE(c.wait_ready("intake"));
  clerk = c.client("intake", "clerk1");
  for (int i = 0; i < 5; ++i) ok(clerk->call("report.submit", sample_report(200 + i)));
  CHECK(*consumer.catch_up(std::chrono::seconds(10)) == 5);
  CHECK(*consumer.catch_up(std::chrono::seconds(10)) == 0);
  CHECK(store.db().execAndGet("SELECT COUNT(*) FROM seen").getInt() == 30);
  CHECK(store.db().execAndGet("SELECT MAX(n) FROM seen").getInt() == 1);
}

TEST_CASE("privacy: no reporter identity in plain text in the data directory or the logs") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  auto clerk = c.client("intake", "clerk1");
  std::vector<std::string> secrets;
  for (int i = 1; i <= 20; ++i) {
    Doc r = sample_report(300 + i);
    r["reporter"]["id_number"] = "11010519491231002X";
    ok(clerk->call("report.submit", r));
    secrets.push_back(r["reporter"]["name"]);
    secrets.push_back(r["reporter"]["phone"]);
    secrets.push_back(r["reporter"]["address"]);
  }
  secrets.push_back("11010519491231002X");
  auto cn = ok(clerk->call("report.list", Doc{{"limit", 1}}))["items"][0]["case_no"];
  ok(clerk->call("report.identity", Doc{{"case_no", cn}, {"purpose", "回访"}}));
  c.stop("intake");  // flush logs and checkpoint
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(c.dir())) {
    if (!e.is_regular_file()) continue;
    ++files;
    std::string content = cq::test::slurp(e.path());
    for (const auto& s : secrets)
      CHECK_MESSAGE(content.find(s) == std::string::npos, s << " found in plain text in " << e.path());
  }
  CHECK(files >= 3);  // database, WAL or logs were really searched
}
