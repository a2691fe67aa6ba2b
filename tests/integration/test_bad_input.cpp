// Hostile and careless input over the wire: each gets a specific error
// reply, nothing is stored, and the service keeps serving.
#include <doctest/doctest.h>
#include <msgpack.hpp>

#include "../support/samples.h"
#include "cluster.h"

using cq::Doc;
using cq::test::Cluster;
using namespace std::chrono_literals;

namespace {

// A raw CURVE DEALER that sends exactly the frames given.
struct Raw {
  zmq::socket_t s;
  Raw(Cluster& c, const std::string& user) : s(c.ctx(), zmq::socket_type::dealer) {
    auto keys = *cq::load_curve_keys(cq::KeyPaths{c.config().keys_dir}.user(user));
    cq::KeyRegistry reg(cq::KeyPaths{c.config().keys_dir}.registry());
    cq::make_curve_client(s, keys, *reg.service_key("intake"));
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::rcvtimeo, 5000);
    s.connect(c.config().service("intake").request);
  }
  Doc send(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      s.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    zmq::message_t m;
    auto got = s.recv(m);
    REQUIRE_MESSAGE(got.has_value(), "no reply: the service went silent");
    auto d = cq::decode(std::string_view(static_cast<const char*>(m.data()), m.size()));
    REQUIRE(d.ok());
    return *d;
  }
  Doc send(const std::string& frame) { return send(std::vector<std::string>{frame}); }
};

std::string req(const std::string& type, const Doc& body) {
  return cq::encode(Doc{{"v", 1}, {"id", "bad-1"}, {"type", type}, {"caller", "t"}, {"body", body}});
}
Doc with(std::function<void(Doc&)> f) {
  Doc d = cq::test::sample_report(1);
  f(d);
  return d;
}
template <typename F>
std::string packed(F f) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  f(pk);
  return std::string(buf.data(), buf.size());
}
// A submit whose summary is the given raw bytes (bypassing any encoder checks).
std::string submit_with_raw_summary(const std::string& bytes) {
  return packed([&](auto& pk) {
    pk.pack_map(4);
    pk.pack(std::string("v")); pk.pack(1);
    pk.pack(std::string("id")); pk.pack(std::string("bad-utf8"));
    pk.pack(std::string("type")); pk.pack(std::string("report.submit"));
    pk.pack(std::string("body"));
    pk.pack_map(1);
    pk.pack(std::string("summary"));
    pk.pack_str(static_cast<uint32_t>(bytes.size()));
    pk.pack_str_body(bytes.data(), bytes.size());
  });
}

struct Case {
  const char* name;
  std::vector<std::string> frames;
  const char* code;
  const char* message_part;
};

}  // namespace

TEST_CASE("bad input: over twenty kinds each get a specific error, and the service keeps serving") {
  Cluster c;
  c.add_user("clerk1", "clerk");
  c.start_all();
  Raw raw(c, "clerk1");

  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  std::vector<Case> cases = {
      {"not msgpack at all", {"\xc1"}, "bad_frame", "malformed msgpack"},
      {"truncated msgpack", {std::string("\x84\xa1v\x01\xa2id", 7)}, "bad_frame", "truncated"},
      {"trailing garbage", {req("ping", Doc::object()) + "xx"}, "bad_frame", "trailing bytes"},
      {"an array, not a map", {cq::encode(Doc::array({1, 2}))}, "bad_envelope", "must be a msgpack map"},
      {"no protocol version", {cq::encode(Doc{{"id", "1"}, {"type", "ping"}})}, "bad_envelope", "v: missing"},
      {"a future protocol version", {cq::encode(Doc{{"v", 9}, {"id", "1"}, {"type", "ping"}})}, "unsupported_version", "not supported"},
      {"no request id", {cq::encode(Doc{{"v", 1}, {"type", "ping"}})}, "bad_envelope", "id: missing"},
      {"no type", {cq::encode(Doc{{"v", 1}, {"id", "1"}})}, "bad_envelope", "type: missing"},
      {"body is a string", {cq::encode(Doc{{"v", 1}, {"id", "1"}, {"type", "ping"}, {"body", "x"}})}, "bad_envelope", "body: expected a map"},
      {"unknown message type", {req("report.delete", Doc::object())}, "unknown_type", "unknown request type 'report.delete'"},
      {"oversized frame", {req("report.submit", Doc{{"details", std::string(1200000, 'x')}})}, "bad_frame", "exceeds the limit"},
      {"nesting too deep", {req("report.submit", Doc{{"x", Doc::parse(deep)}})}, "bad_frame", "nesting deeper"},
      {"array header claiming 4 billion items", {std::string("\x81\xa1x\xdd\xff\xff\xff\xff", 8)}, "bad_frame", "array longer"},
      {"invalid UTF-8 in a text", {submit_with_raw_summary("\xe6\xbe")}, "bad_frame", "invalid UTF-8 in string at body.summary"},
      {"a binary value", {packed([](auto& pk) { pk.pack_map(1); pk.pack(std::string("v")); pk.pack_bin(1); pk.pack_bin_body("x", 1); })}, "bad_frame", "binary"},
      {"a map key that is not a string", {packed([](auto& pk) { pk.pack_map(1); pk.pack(1); pk.pack(1); })}, "bad_frame", "not a string"},
      {"two payload frames", {req("ping", Doc::object()), req("ping", Doc::object())}, "bad_frame", "exactly one payload frame"},
      {"channel of the wrong type", {req("report.submit", with([](Doc& d) { d["channel"] = 42; }))}, "invalid", "body.channel: expected a string, got number"},
      {"missing accused", {req("report.submit", with([](Doc& d) { d.erase("accused"); }))}, "invalid", "body.accused: missing (required)"},
      {"unknown channel", {req("report.submit", with([](Doc& d) { d["channel"] = "carrier-pigeon"; }))}, "invalid", "body.channel: unknown channel 'carrier-pigeon'"},
      {"unknown region", {req("report.submit", with([](Doc& d) { d["accused"][0]["region"] = "mars"; }))}, "invalid", "body.accused[0].region: unknown region 'mars'"},
      {"impossible date", {req("report.submit", with([](Doc& d) { d["received_at"] = "2026-02-30T09:00"; }))}, "invalid", "body.received_at: not a valid date/time"},
      {"a date in the future", {req("report.submit", with([](Doc& d) { d["received_at"] = "2099-01-01"; }))}, "invalid", "body.received_at: is in the future"},
      {"oversized summary", {req("report.submit", with([](Doc& d) { d["summary"] = std::string(600, 'y'); }))}, "invalid", "body.summary: too long: 600 characters, at most 200"},
      {"negative amount", {req("report.submit", with([](Doc& d) { d["specifics"]["amount_yuan"] = -1; }))}, "invalid", "body.specifics.amount_yuan"},
      {"bad ID number", {req("report.submit", with([](Doc& d) { d["reporter"]["id_number"] = "123"; }))}, "invalid", "body.reporter.id_number"},
      {"get without case number", {req("report.get", Doc::object())}, "invalid", "body.case_no: missing (required)"},
      {"list with limit 0", {req("report.list", Doc{{"limit", 0}})}, "invalid", "body.limit: must be between 1 and 500"},
      {"import that is not a list", {req("report.import", Doc{{"items", "all of them"}})}, "invalid", "body.items: expected an array"},
  };
  CHECK(cases.size() >= 20);
  for (const auto& k : cases) {
    CAPTURE(k.name);
    Doc reply = raw.send(k.frames);
    CHECK(reply["ok"] == false);
    CHECK(reply["code"] == k.code);
    CHECK_MESSAGE(reply["message"].get<std::string>().find(k.message_part) != std::string::npos,
                  reply["message"].get<std::string>());
  }
  // Nothing was stored, and the service still serves.
  auto clerk = c.client("intake", "clerk1");
  auto list = clerk->call("report.list", Doc::object());
  REQUIRE(list.ok());
  CHECK(list->body["items"].empty());
  auto good = clerk->call("report.submit", cq::test::sample_report(1));
  REQUIRE(good.ok());
  CHECK(good->ok);
}
