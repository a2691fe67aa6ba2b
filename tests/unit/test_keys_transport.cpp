#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "cq/keys.h"
#include "cq/transport.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
struct Keys {
  fs::path dir = fs::temp_directory_path() / ("cq-keys-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  cq::KeyPaths paths{dir};
  ~Keys() { fs::remove_all(dir); }
};

// A server in a thread that answers every request with who sent it.
struct EchoServer {
  zmq::context_t ctx{1};
  std::shared_ptr<cq::KeyRegistry> registry;
  std::unique_ptr<cq::ZapHandler> zap;
  std::unique_ptr<cq::Server> server;
  std::string endpoint;
  std::atomic<bool> stop{false};
  std::thread thread;
  EchoServer(const cq::KeyPaths& p, const cq::CurveKeys& keys) {
    registry = std::make_shared<cq::KeyRegistry>(p.registry());
    zap = std::make_unique<cq::ZapHandler>(ctx, registry);
    server = std::make_unique<cq::Server>(
        ctx, cq::Server::Options{"tcp://127.0.0.1:*", "tcp://127.0.0.1:*", keys, {}}, registry);
    endpoint = server->router().get(zmq::sockopt::last_endpoint);
    thread = std::thread([this] {
      while (!stop) {
        for (auto& in : server->receive_batch(50ms, 10))
          server->reply(in, cq::Reply::success(cq::Doc{{"user", in.req.who.name}, {"role", in.req.who.role},
                                                       {"echo", in.req.body}}));
      }
    });
  }
  ~EchoServer() {
    stop = true;
    thread.join();
    server.reset();
    zap.reset();
  }
};
}  // namespace

TEST_CASE("keys: the registry maps keys to users and roles and refuses bad names and roles") {
  Keys k;
  auto made = cq::init_keys(k.paths, {"intake"});
  CHECK(made.size() >= 6);
  CHECK(cq::init_keys(k.paths, {"intake"}).empty());  // idempotent
  cq::KeyRegistry reg(k.paths.registry());
  auto admin = cq::load_curve_keys(k.paths.user("admin"));
  REQUIRE(admin.ok());
  CHECK(reg.lookup(admin->public_key)->role == "admin");
  auto svc = cq::load_curve_keys(k.paths.service("intake"));
  CHECK(reg.lookup(svc->public_key)->role == "service");
  CHECK_FALSE(reg.lookup(cq::generate_curve_keys().public_key).has_value());
  CHECK_FALSE(reg.add_user("Bad Name", "clerk", "x").ok());
  CHECK_FALSE(reg.add_user("eve", "emperor", "x").ok());
  CHECK_FALSE(reg.add_user("eve", "service", "x").ok());
  // Another process (cq user add) changes the file: this registry sees it.
  cq::KeyRegistry other(k.paths.registry());
  auto clerk = cq::generate_curve_keys();
  REQUIRE(other.add_user("carol", "clerk", clerk.public_key).ok());
  CHECK(reg.lookup(clerk.public_key)->name == "carol");
}

TEST_CASE("transport: CURVE with ZAP: a registered key is served, an unknown key is refused") {
  Keys k;
  cq::init_keys(k.paths, {"echo"});
  auto server_keys = *cq::load_curve_keys(k.paths.service("echo"));
  EchoServer echo(k.paths, server_keys);
  zmq::context_t ctx{1};

  cq::Client::Options o;
  o.endpoint = echo.endpoint;
  o.server_public = server_keys.public_key;
  o.keys = *cq::load_curve_keys(k.paths.user("admin"));
  o.timeout = 2000ms;
  o.attempts = 1;
  {
    cq::Client c(ctx, o);
    auto r = c.call("ping", cq::Doc{{"x", "澄清"}});
    REQUIRE(r.ok());
    CHECK(r->ok);
    CHECK(r->body["user"] == "admin");
    CHECK(r->body["role"] == "admin");
    CHECK(r->body["echo"]["x"] == "澄清");
  }
  {
    o.keys = cq::generate_curve_keys();  // never registered
    o.timeout = 700ms;
    cq::Client c(ctx, o);
    auto r = c.call("ping", cq::Doc::object());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unauthenticated");
  }
  {
    // A client that does not know the server's real key cannot talk either.
    o.keys = *cq::load_curve_keys(k.paths.user("admin"));
    o.server_public = cq::generate_curve_keys().public_key;
    o.timeout = 500ms;
    cq::Client c(ctx, o);
    CHECK_FALSE(c.call("ping", cq::Doc::object()).ok());
  }
}

TEST_CASE("transport: request envelopes are checked field by field") {
  cq::UnpackLimits lim;
  auto err = [&](const cq::Doc& d) {
    auto r = cq::decode_request(cq::encode(d), lim);
    REQUIRE_FALSE(r.ok());
    return r.error();
  };
  CHECK(err(cq::Doc::array({1})).code == "bad_envelope");
  CHECK(err(cq::Doc{{"id", "1"}, {"type", "ping"}}).message.find("v: missing") == 0);
  CHECK(err(cq::Doc{{"v", 2}, {"id", "1"}, {"type", "ping"}}).code == "unsupported_version");
  CHECK(err(cq::Doc{{"v", 1}, {"type", "ping"}}).message.find("id: missing") == 0);
  CHECK(err(cq::Doc{{"v", 1}, {"id", "1"}}).message.find("type:") == 0);
  CHECK(err(cq::Doc{{"v", 1}, {"id", "1"}, {"type", "ping"}, {"body", "x"}}).message.find("body:") == 0);
  auto ok = cq::decode_request(cq::encode(cq::Doc{{"v", 1}, {"id", "7"}, {"type", "ping"}, {"future_field", 1}}), lim);
  REQUIRE(ok.ok());  // unknown fields are ignored
  CHECK(ok->type == "ping");
  CHECK(ok->body.is_object());
}
