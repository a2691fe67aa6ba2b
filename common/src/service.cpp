#include "cq/service.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <thread>
#include <optional>

#include "cq/fields.h"
#include "cq/log.h"

namespace cq {

struct Service::Work {
  std::vector<Server::Incoming> batch;
  std::vector<Reply> replies;
};

namespace {
std::atomic<bool> g_signalled{false};
const char* kToStore = "inproc://cq-service-to-store";
const char* kToFront = "inproc://cq-service-to-front";

// Work moves between the threads as a pointer in a message; nullptr means "stop".
void send_work(zmq::socket_t& s, Service::Work* w) {
  s.send(zmq::buffer(&w, sizeof w), zmq::send_flags::none);
}
bool recv_work(zmq::socket_t& s, Service::Work*& w, zmq::recv_flags flags) {
  zmq::message_t m;
  if (!s.recv(m, flags)) return false;
  std::memcpy(&w, m.data(), sizeof w);
  return true;
}
void on_signal(int) { g_signalled = true; }
constexpr std::size_t kMaxBatch = 512;
constexpr auto kPollEvery = std::chrono::milliseconds(1000);
}  // namespace

void Service::install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

Service::Service(std::string name, Config config, const std::vector<std::string>& migrations)
    : name_(std::move(name)),
      config_(std::move(config)),
      calendar_(config_.holidays, config_.workdays),
      ctx_(1),
      to_store_(ctx_, zmq::socket_type::pair),
      from_front_(ctx_, zmq::socket_type::pair),
      to_front_(ctx_, zmq::socket_type::pair),
      from_store_(ctx_, zmq::socket_type::pair) {
  crypto::init();
  for (auto* s : {&to_store_, &from_front_, &to_front_, &from_store_}) {
    s->set(zmq::sockopt::sndhwm, 0);  // never drop or block work between our own threads
    s->set(zmq::sockopt::rcvhwm, 0);
    s->set(zmq::sockopt::linger, 0);
  }
  from_front_.bind(kToStore);
  to_store_.connect(kToStore);
  from_store_.bind(kToFront);
  to_front_.connect(kToFront);
  auto paths = key_paths();
  auto keys = load_curve_keys(paths.service(name_));
  if (!keys) throw std::runtime_error(keys.error().message + " (run `cq keys init` first)");
  keys_ = *keys;
  registry_ = std::make_shared<KeyRegistry>(paths.registry());
  // The ZAP handler must be bound before any CURVE server socket, or the
  // server would accept any key.
  zap_ = std::make_unique<ZapHandler>(ctx_, registry_);
  store_ = std::make_unique<Store>(config_.data_dir / (name_ + ".db"), migrations);
  outbox_ = std::make_unique<Outbox>(*store_);
  audit_ = std::make_unique<AuditLog>(*store_, data_key("audit"));
  const auto& ep = config_.service(name_);
  UnpackLimits limits;
  limits.max_frame_bytes = config_.max_frame_bytes;
  server_ = std::make_unique<Server>(ctx_, Server::Options{ep.bind_request, ep.bind_publish, keys_, limits},
                                     registry_);
  on("ping", {role::kClerk, role::kOfficer, role::kApprover, role::kClarifier, role::kAccuserOfficer,
              role::kSupervisor, role::kAdmin, role::kService},
     [this](const Request& r) -> Result<Doc> {
       Doc cursors = Doc::object();  // how far this service has applied each source's events
       for (auto& c : consumers_) cursors[c->source()] = c->cursor();
       return Doc{{"service", name_}, {"user", r.who.name}, {"role", r.who.role},
                  {"schema_version", store_->schema_version()}, {"last_event", outbox_->last()},
                  {"cursors", cursors},
                  {"pid", static_cast<int64_t>(::getpid())},
                  {"group_commits", commits_.load()},
                  {"committed_requests", committed_requests_.load()}};
     });
  on_raw("events.fetch", {role::kService, role::kAdmin}, [this](const Request& r) -> Result<std::string> {
    Problems p;
    Fields f(r.body, "body", p);
    auto after = f.integer("after", false, 0, INT64_MAX).value_or(0);
    auto limit = f.integer("limit", false, 1, 5000).value_or(500);
    if (!p.empty()) return p.error();
    return outbox_->fetch_encoded(after, static_cast<int>(limit));
  });
  on("audit.verify", {role::kAdmin, role::kSupervisor}, [this](const Request&) -> Result<Doc> {
    auto v = audit_->verify();
    if (!v) return v.error();
    return Doc{{"rows", *v}, {"intact", true}};
  });
  on("audit.list", {role::kAdmin, role::kSupervisor}, [this](const Request& r) -> Result<Doc> {
    int64_t after = r.body.value("after", int64_t{0});
    return Doc{{"rows", audit_->list(after, 500, r.body.value("subject", std::string()))}};
  });
}

Service::~Service() = default;

crypto::Key Service::data_key(const std::string& n) const {
  auto k = crypto::load_key(key_paths().data(n), false);
  if (!k) throw std::runtime_error(k.error().message + " (run `cq keys init` first)");
  return *k;
}

void Service::on(const std::string& type, std::set<std::string> roles, Handler h) {
  routes_[type] = Route{std::move(roles), nullptr, std::move(h)};
}

void Service::on_raw(const std::string& type, std::set<std::string> roles, RawHandler h) {
  routes_[type] = Route{std::move(roles), nullptr, nullptr, std::move(h)};
}

void Service::on(const std::string& type, std::set<std::string> roles, Prepare p, Handler h) {
  routes_[type] = Route{std::move(roles), std::move(p), std::move(h)};
}

Client::Options Service::client_options(const std::string& target) const {
  const auto& ep = config_.service(target);
  auto server_key = registry_->service_key(target);
  if (!server_key) throw std::runtime_error("no public key for service " + target + " in " + registry_->file().string());
  Client::Options o;
  o.endpoint = ep.request;
  o.server_public = *server_key;
  o.keys = keys_;
  o.caller = name_;
  o.timeout = std::chrono::milliseconds(config_.request_timeout_ms);
  o.attempts = 1;
  return o;
}

void Service::consume(const std::string& source, Consumer::Apply apply, Consumer::Flush flush) {
  consumers_.push_back(std::make_unique<Consumer>(ctx_, *store_, source, client_options(source),
                                                  config_.service(source).publish, std::move(apply), std::move(flush)));
}

void Service::rewind_consumers() {
  for (auto& c : consumers_) c->rewind();
}

Doc Service::consumer_progress() {
  Doc d = Doc::object();
  for (auto& c : consumers_) d[c->source()] = Doc{{"applied", c->cursor()}, {"head", c->head()}};
  return d;
}

void Service::every(std::chrono::milliseconds period, std::function<void()> fn) {
  timers_.push_back(Timer{period, std::chrono::steady_clock::now() + period, std::move(fn)});
}

bool Service::admit(Request& req, Reply& refusal) {
  auto it = routes_.find(req.type);
  if (it == routes_.end()) {
    refusal = Reply::fail(Error::make(code::kUnknownType, "unknown request type '" + req.type + "' for service " + name_));
    return false;
  }
  if (!it->second.roles.count(req.who.role)) {
    refusal = Reply::fail(Error::make(code::kForbidden, "role '" + req.who.role + "' (user " + req.who.name +
                                                          ") may not send " + req.type));
    return false;
  }
  if (!it->second.prepare) return true;
  try {
    auto p = it->second.prepare(req);
    if (!p) {
      refusal = Reply::fail(p.error());
      return false;
    }
    req.prepared = std::move(*p);
    return true;
  } catch (const std::exception& e) {
    spdlog::error("req={} type={} user={} (prepare): {}", req.id, req.type, req.who.name, e.what());
    refusal = Reply::fail(Error::make(code::kInternal, "internal error while handling " + req.type));
    return false;
  }
}

// The route exists and the role was checked by admit() on the front thread.
Reply Service::dispatch(const Request& req, bool savepoint, bool& dirty_failure) {
  auto it = routes_.find(req.type);
  std::optional<Savepoint> sp;
  if (savepoint) sp.emplace(*store_);
  int64_t before = store_->db().getTotalChanges();
  Reply reply;
  try {
    if (it->second.raw) {
      auto raw = it->second.raw(req);
      if (raw) {
        if (sp) sp->release();
        Reply ok;
        ok.raw_body = std::move(*raw);
        return ok;
      }
      return Reply::fail(raw.error());  // raw handlers only read
    }
    auto r = it->second.handler(req);
    if (r) {
      if (sp) sp->release();
      return Reply::success(std::move(*r));
    }
    reply = Reply::fail(r.error());
  } catch (const std::exception& e) {
    spdlog::error("req={} type={} user={}: {}", req.id, req.type, req.who.name, e.what());
    reply = Reply::fail(Error::make(code::kInternal, "internal error while handling " + req.type));
  }
  // A failure that had already written something must be undone: with a
  // savepoint that is done here; without one, the caller redoes the batch.
  if (!sp && store_->db().getTotalChanges() != before) dirty_failure = true;
  return reply;
}

// Runs every request of the works in one transaction. Fast path: no
// savepoints. If a request failed after writing, the whole transaction is
// rolled back and run again with a savepoint around each request, so that a
// failed request never leaves anything behind.
void Service::run_batch(std::vector<Work*>& works) {
  for (bool savepoints : {false, true}) {
    WriteTx tx(*store_);
    bool dirty = false;
    for (auto* w : works) {
      w->replies.clear();
      for (const auto& in : w->batch) {
        w->replies.push_back(dispatch(in.req, savepoints, dirty));
        if (dirty) break;
      }
      if (dirty) break;
    }
    if (dirty) {
      tx.rollback();
      rolled_back();
      continue;
    }
    tx.commit();
    ++commits_;
    for (auto* w : works) committed_requests_ += static_cast<int64_t>(w->batch.size());
    return;
  }
  throw std::logic_error("unreachable: the savepoint pass cannot be dirty");
}

void Service::rolled_back() {
  for (auto& f : rollback_hooks_) f();
}

void Service::serve(std::vector<Work*>& works) {
  try {
    run_batch(works);
  } catch (const std::exception& e) {
    rolled_back();
    std::size_t n = 0;
    for (auto* w : works) {
      n += w->batch.size();
      w->replies.assign(w->batch.size(),
                        Reply::fail(Error::make(code::kStorage, "not saved: the database could not commit")));
    }
    spdlog::error("commit of a batch of {} failed: {}", n, e.what());
  }
  int64_t last = outbox_->last();
  if (last != announced_) {
    server_->announce(name_, last);
    announced_ = last;
  }
  for (auto* w : works) send_work(to_front_, w);  // the front thread sends the replies
}

void Service::front_loop() {
  bool draining = false;
  while (true) {
    if (!draining && (stop_ || g_signalled)) {
      draining = true;
      send_work(to_store_, nullptr);  // the store thread finishes what came before, then stops
    }
    zmq::pollitem_t items[] = {{static_cast<void*>(from_store_), 0, ZMQ_POLLIN, 0},
                               {static_cast<void*>(server_->router()), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, draining ? 1 : 2, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      Work* w = nullptr;
      while (recv_work(from_store_, w, zmq::recv_flags::dontwait)) {
        if (!w) return;  // the store thread has stopped; every reply before it was sent
        std::unique_ptr<Work> owned(w);
        for (std::size_t i = 0; i < w->batch.size(); ++i) {
          spdlog::debug("req={} type={} user={} code={}", w->batch[i].req.id, w->batch[i].req.type,
                        w->batch[i].req.who.name, w->replies[i].code);
          server_->reply(w->batch[i], w->replies[i]);
        }
      }
    }
    if (!draining && (items[1].revents & ZMQ_POLLIN)) {
      auto work = std::make_unique<Work>();
      for (auto& in : server_->receive_batch(std::chrono::milliseconds(0), kMaxBatch)) {
        Reply refusal;
        if (admit(in.req, refusal)) work->batch.push_back(std::move(in));
        else server_->reply(in, refusal);
      }
      if (!work->batch.empty()) send_work(to_store_, work.release());
    }
  }
}

// One page per consumer per turn, so that requests waiting in between are
// served while a backlog drains.
void Service::pump_consumers() {
  auto now = std::chrono::steady_clock::now();
  if (now >= next_poll_) {  // look for new events even if an announcement was lost
    next_poll_ = now + kPollEvery;
    for (auto& c : consumers_) c->kick();
  }
  for (auto& c : consumers_) {
    try {
      auto r = c->pump(1);
      if (!r) spdlog::warn("events from {}: {}", c->source(), r.error().message);
    } catch (const std::exception& e) {
      spdlog::error("applying events from {} failed (will retry): {}", c->source(), e.what());
    }
  }
  int64_t last = outbox_->last();
  if (last != announced_) {
    server_->announce(name_, last);
    announced_ = last;
  }
}

int Service::run() {
  spdlog::info("{} serving on {} (events on {}), data {}", name_, config_.service(name_).bind_request,
               config_.service(name_).bind_publish, store_->file().string());
  announced_ = -1;
  std::thread front([this] {
    try {
      front_loop();
    } catch (const std::exception& e) {
      spdlog::critical("front thread failed: {}", e.what());
      stop_ = true;
    }
  });
  bool stopping = false;
  while (!stopping) {
    std::vector<zmq::pollitem_t> items;
    items.push_back({static_cast<void*>(from_front_), 0, ZMQ_POLLIN, 0});
    for (auto& c : consumers_) {
      items.push_back({static_cast<void*>(c->sub()), 0, ZMQ_POLLIN, 0});
      items.push_back({static_cast<void*>(c->ready()), 0, ZMQ_POLLIN, 0});
    }
    bool pending = false;
    for (auto& c : consumers_) pending = pending || c->pending();
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(pending ? 0 : 200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      // Everything queued is committed together (group commit).
      std::vector<Work*> works;
      Work* w = nullptr;
      while (recv_work(from_front_, w, zmq::recv_flags::dontwait)) {
        if (w) works.push_back(w);
        else stopping = true;  // after the works that came before it
      }
      if (!works.empty()) serve(works);
    }
    if (stopping) break;
    for (std::size_t i = 0; i < consumers_.size(); ++i)
      if (items[1 + 2 * i].revents & ZMQ_POLLIN) consumers_[i]->drain_announcements();
    pump_consumers();
    auto now = std::chrono::steady_clock::now();
    for (auto& t : timers_)
      if (now >= t.next) {
        t.next = now + t.period;
        try {
          t.fn();
        } catch (const std::exception& e) {
          spdlog::error("timer: {}", e.what());
        }
      }
  }
  send_work(to_front_, nullptr);
  front.join();
  spdlog::info("{} stopping", name_);
  return 0;
}

int service_main(int argc, char** argv, const std::string& name,
                 const std::vector<std::string>& migrations,
                 const std::function<void(Service&)>& setup) {
  CLI::App app{"Chengqing " + name + " service"};
  std::string config_flag;
  app.add_option("-c,--config", config_flag, "configuration file (default $CQ_CONFIG or config/chengqing.toml)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  auto cfg = load_config(default_config_path(config_flag));
  if (!cfg) {
    std::fprintf(stderr, "%s: configuration error: %s\n", name.c_str(), cfg.error().message.c_str());
    for (const auto& f : cfg.error().fields) std::fprintf(stderr, "  %s: %s\n", f.path.c_str(), f.reason.c_str());
    return 2;
  }
  set_process_time_zone(cfg->time_zone);
  log::init(name, cfg->log_dir, cfg->log_level);
  Service::install_signal_handlers();
  try {
    if (!cfg->services.count(name)) throw std::runtime_error("services." + name + " is not configured");
    Service svc(name, *cfg, migrations);
    setup(svc);
    return svc.run();
  } catch (const std::exception& e) {
    spdlog::critical("{} cannot start: {}", name, e.what());
    return 2;
  }
}

}  // namespace cq
