#include <doctest/doctest.h>

#include "../support/samples.h"
#include "cq/config.h"
#include "report.h"

using cq::Doc;

namespace {
const cq::Config& cfg() {
  static cq::Config c = *cq::load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  return c;
}
cq::Millis now() { return *cq::parse_time("2026-11-23T12:00:00+08:00"); }

// The first reason given for `path` when the body is changed by f.
std::string reason(std::function<void(Doc&)> f, const std::string& path) {
  Doc d = cq::test::sample_report(1);
  f(d);
  auto r = cq::intake::parse_report(d, cfg(), "body", now());
  REQUIRE_FALSE(r.ok());
  for (const auto& e : r.error().fields)
    if (e.path == path) return e.reason;
  FAIL("no error at " << path << "; got " << r.error().message);
  return "";
}
}  // namespace

TEST_CASE("report: a complete real-name report is accepted and normalised") {
  Doc d = cq::test::sample_report(1);
  d["reporter"]["phone"] = "+86 139-0000-0001";
  auto r = cq::intake::parse_report(d, cfg(), "body", now());
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  CHECK(r->reporter.phone == "13900000001");
  CHECK_FALSE(r->reporter.anonymous);
  CHECK(r->accused.at(0).region == "nanhu");
  CHECK(r->specifics["amount_yuan"] == 50000);
  CHECK(cq::intake::parse_report(cq::test::sample_report(2, true), cfg(), "body", now()).ok());
}

TEST_CASE("report: every field's problem is named with its path") {
  CHECK(reason([](Doc& d) { d.erase("channel"); }, "body.channel") == "missing (required)");
  CHECK(reason([](Doc& d) { d["channel"] = "pigeon"; }, "body.channel").find("unknown channel 'pigeon'") == 0);
  CHECK(reason([](Doc& d) { d["channel"] = 3; }, "body.channel") == "expected a string, got number");
  CHECK(reason([](Doc& d) { d["received_at"] = "2026-02-30T10:00"; }, "body.received_at").find("not a valid date") == 0);
  CHECK(reason([](Doc& d) { d["received_at"] = "2030-01-01"; }, "body.received_at") == "is in the future");
  CHECK(reason([](Doc& d) { d["received_at"] = "1999-12-31"; }, "body.received_at") == "is before 2000-01-01");
  CHECK(reason([](Doc& d) { d["accused"] = Doc::array(); }, "body.accused") == "needs at least 1 item(s)");
  CHECK(reason([](Doc& d) { d["accused"][0]["region"] = "atlantis"; }, "body.accused[0].region").find("unknown region") == 0);
  CHECK(reason([](Doc& d) { d["accused"][0]["level"] = "emperor"; }, "body.accused[0].level").find("unknown cadre level") == 0);
  CHECK(reason([](Doc& d) { d["accused"][0].erase("name"); }, "body.accused[0].name") == "missing (required)");
  CHECK(reason([](Doc& d) { d["accused"][0] = "张三"; }, "body.accused[0]") == "expected a map");
  CHECK(reason([](Doc& d) { d["category"] = "gossip"; }, "body.category").find("unknown allegation category") == 0);
  CHECK(reason([](Doc& d) { d["summary"] = std::string(201, 'x'); }, "body.summary").find("too long: 201") == 0);
  CHECK(reason([](Doc& d) { d["summary"] = "   "; }, "body.summary") == "must not be blank");
  CHECK(reason([](Doc& d) { d["details"] = std::string("a\x01z"); }, "body.details") == "contains a control character");
  CHECK(reason([](Doc& d) { d["reporter"]["id_number"] = "440304199001011234"; }, "body.reporter.id_number").find("not a valid") == 0);
  CHECK(reason([](Doc& d) { d["reporter"]["phone"] = "call me"; }, "body.reporter.phone") == "expected 5 to 15 digits");
  CHECK(reason([](Doc& d) { d["reporter"].erase("phone"); d["reporter"].erase("address"); }, "body.reporter.phone").find("needs a contact") != std::string::npos);
  CHECK(reason([](Doc& d) { d["reporter"]["anonymous"] = "no"; }, "body.reporter.anonymous") == "expected true or false, got string");
  CHECK(reason([](Doc& d) { d["reporter"] = Doc{{"anonymous", true}, {"name", "张三"}}; }, "body.reporter.anonymous").find("cannot carry a name") != std::string::npos);
  CHECK(reason([](Doc& d) { d["specifics"]["amount_yuan"] = -5; }, "body.specifics.amount_yuan").find("must be between") == 0);
  CHECK(reason([](Doc& d) { d["specifics"]["witnesses"] = Doc::array({1}); }, "body.specifics.witnesses[0]") == "expected a string");
  CHECK(reason([](Doc& d) { d["specifics"]["evidence"] = Doc::array({Doc::object()}); }, "body.specifics.evidence[0].kind") == "missing (required)");
  CHECK(reason([](Doc& d) { d["channel"] = "forwarded"; }, "body.forwarded_from").find("missing") == 0);
}

TEST_CASE("report: all problems are reported at once") {
  Doc d = Doc{{"channel", "x"}, {"accused", 5}};
  auto r = cq::intake::parse_report(d, cfg(), "body", now());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().fields.size() >= 5);  // channel, received_at, reporter, accused, category, summary
  CHECK(r.error().code == "invalid");
}
