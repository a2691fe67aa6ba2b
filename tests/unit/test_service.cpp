// The service loop itself: a real Service on real sockets, in this process.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cq/service.h"

namespace fs = std::filesystem;
using cq::Doc;
using namespace std::chrono_literals;

namespace {
struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("cq-svc-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  cq::Config cfg;
  Fixture() {
    fs::create_directories(dir);
    std::ifstream in(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto at = text.find("tcp://127.0.0.1:7101");
    text.replace(at, 20, "ipc://" + (dir / "req").string());
    at = text.find("tcp://127.0.0.1:7102");
    text.replace(at, 20, "ipc://" + (dir / "pub").string());
    cfg = *cq::parse_config(text, dir / "config", "test.toml");
    cq::init_keys(cq::KeyPaths{cfg.keys_dir}, {"intake"});
  }
  ~Fixture() { fs::remove_all(dir); }
  std::unique_ptr<cq::Client> client(zmq::context_t& ctx) {
    cq::KeyPaths p{cfg.keys_dir};
    cq::KeyRegistry reg(p.registry());
    cq::Client::Options o;
    o.endpoint = cfg.service("intake").request;
    o.server_public = *reg.service_key("intake");
    o.keys = *cq::load_curve_keys(p.user("admin"));
    o.timeout = 3000ms;
    o.attempts = 1;
    return std::make_unique<cq::Client>(ctx, o);
  }
};
}  // namespace

TEST_CASE("service: a request that fails after writing leaves nothing; the others are saved") {
  Fixture f;
  cq::Service svc("intake", f.cfg, {"CREATE TABLE t(x INTEGER NOT NULL)"});
  int rollbacks = 0;
  svc.on_rollback([&] { ++rollbacks; });
  svc.on("put", {"admin"}, [&](const cq::Request& r) -> cq::Result<Doc> {
    int x = r.body.value("x", 0);
    auto& st = svc.store().stmt("INSERT INTO t(x) VALUES(?)");
    st.bind(1, x);
    st.exec();
    if (x < 0) return cq::Error::make("invalid", "negative, after writing");
    if (x == 13) throw std::runtime_error("unlucky");
    return Doc{{"x", x}};
  });
  svc.on("sum", {"admin"}, [&](const cq::Request&) -> cq::Result<Doc> {
    return Doc{{"sum", svc.store().db().execAndGet("SELECT COALESCE(SUM(x), 0) FROM t").getInt64()},
               {"n", svc.store().db().execAndGet("SELECT COUNT(*) FROM t").getInt64()}};
  });
  svc.on("checked", {"admin"},
         [](const cq::Request& r) -> cq::Result<std::shared_ptr<void>> {
           if (!r.body.contains("ok")) return cq::Error::make("invalid", "prepare says no");
           return std::shared_ptr<void>(std::make_shared<int>(41));
         },
         [](const cq::Request& r) -> cq::Result<Doc> { return Doc{{"v", *std::static_pointer_cast<int>(r.prepared) + 1}}; });
  svc.on("clerks-only", {"clerk"}, [](const cq::Request&) -> cq::Result<Doc> { return Doc::object(); });
  std::thread t([&] { svc.run(); });

  zmq::context_t ctx{1};
  auto c = f.client(ctx);
  // Pipelined so that they tend to share a batch.
  std::vector<int> xs = {1, -5, 2, 13, 4};
  std::map<std::string, int> ids;
  for (int x : xs) ids[c->send("put", Doc{{"x", x}})] = x;
  std::map<int, cq::Reply> replies;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    auto r = c->receive(3000ms);
    REQUIRE(r);
    replies[ids[r->first]] = r->second;
  }
  CHECK(replies[1].ok);
  CHECK(replies[-5].code == "invalid");
  CHECK(replies[13].code == "internal");
  CHECK(replies[4].ok);
  auto sum = c->call("sum", Doc::object());
  REQUIRE(sum.ok());
  CHECK(sum->body["n"] == 3);
  CHECK(sum->body["sum"] == 7);

  auto prepared = c->call("checked", Doc{{"ok", true}});
  REQUIRE(prepared.ok());
  CHECK(prepared->body["v"] == 42);
  auto refused = c->call("checked", Doc::object());
  CHECK(refused->message == "prepare says no");
  CHECK(c->call("clerks-only", Doc::object())->code == "forbidden");
  CHECK(c->call("no.such.type", Doc::object())->code == "unknown_type");
  CHECK(rollbacks >= 1);  // the dirty batch was rolled back and redone
  svc.stop();
  t.join();
}

TEST_CASE("codec: extend_map appends entries to an encoded map") {
  Doc small{{"a", 1}};
  auto out = cq::decode(cq::extend_map(cq::encode(small), Doc{{"b", "二"}, {"c", nullptr}}));
  REQUIRE(out.ok());
  CHECK(*out == Doc{{"a", 1}, {"b", "二"}, {"c", nullptr}});
  Doc big = Doc::object();  // 15 + 3 entries crosses from fixmap to map16
  for (int i = 0; i < 15; ++i) big["k" + std::to_string(i)] = i;
  auto grown = cq::decode(cq::extend_map(cq::encode(big), Doc{{"x", 1}, {"y", 2}, {"z", 3}}));
  REQUIRE(grown.ok());
  CHECK(grown->size() == 18);
  CHECK((*grown)["z"] == 3);
  CHECK_THROWS(cq::extend_map(cq::encode(Doc::array({1})), Doc{{"x", 1}}));
}
