// What every service process shares: configuration, logging, keys, the ZAP
// handler, the request loop with group commit, the outbox with announcements,
// event consumers and timers. A service adds its schema, its handlers and its
// event reactions, and calls run().
//
// Two threads, a pipeline:
//   front thread: owns the ROUTER; decodes frames, checks roles, and runs a
//     route's prepare step (validation, hashing, encryption: anything that
//     needs no database). Refusals are answered here at once.
//   store thread (the one that calls run()): owns the database; takes every
//     prepared request queued (group commit), runs the handlers in one
//     IMMEDIATE transaction, commits once, and only then hands the replies
//     back to the front thread to send. A reply that says "saved" is on disk.
// A request that fails changes nothing: if one fails after having written,
// the batch is redone with a savepoint around each request. Consumers and
// timers run on the store thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "cq/audit.h"
#include "cq/calendar.h"
#include "cq/config.h"
#include "cq/consumer.h"
#include "cq/crypto.h"
#include "cq/keys.h"
#include "cq/outbox.h"
#include "cq/store.h"
#include "cq/transport.h"

namespace cq {

class Service {
 public:
  // A request handler. Runs inside the batch transaction and its own savepoint.
  using Handler = std::function<Result<Doc>(const Request&)>;
  // A handler whose result is already a msgpack-encoded body (a map).
  using RawHandler = std::function<Result<std::string>(const Request&)>;

  Service(std::string name, Config config, const std::vector<std::string>& migrations);
  ~Service();

  void on_raw(const std::string& type, std::set<std::string> roles, RawHandler h);
  // Runs on the front thread before the handler; must not touch the store.
  // Its result is handed to the handler as Request::prepared.
  using Prepare = std::function<Result<std::shared_ptr<void>>(const Request&)>;

  // Registers a request type and the roles allowed to send it.
  void on(const std::string& type, std::set<std::string> roles, Handler h);
  // The same, with a prepare step run off the store thread.
  void on(const std::string& type, std::set<std::string> roles, Prepare p, Handler h);
  // Consumes another service's events (see Consumer).
  void consume(const std::string& source, Consumer::Apply apply, Consumer::Flush flush = nullptr);
  // Every consumer starts again from its stored cursor (after a rebuild
  // deleted them); and how far they are: {source: {applied, head}}.
  void rewind_consumers();
  Doc consumer_progress();
  // How this service reaches another as itself (its own CURVE key, role
  // "service"), for a Client.
  Client::Options client_options(const std::string& target) const;
  zmq::context_t& context() { return ctx_; }
  // Called on the store thread whenever a batch's transaction is rolled back
  // or fails to commit, so that caches of what was written can be dropped.
  void on_rollback(std::function<void()> fn) { rollback_hooks_.push_back(std::move(fn)); }
  // Runs fn every period (inside no transaction; open one if needed).
  void every(std::chrono::milliseconds period, std::function<void()> fn);
  // Serves until SIGINT/SIGTERM (or stop()). Returns the process exit code.
  int run();
  void stop() { stop_ = true; }

  const std::string& name() const { return name_; }
  const Config& config() const { return config_; }
  const Calendar& calendar() const { return calendar_; }
  Store& store() { return *store_; }
  Outbox& outbox() { return *outbox_; }
  AuditLog& audit() { return *audit_; }
  KeyPaths key_paths() const { return KeyPaths{config_.keys_dir}; }
  // A symmetric data key from keys_dir/data/<name>.key (must exist).
  crypto::Key data_key(const std::string& name) const;

  struct Work;  // a batch on its way from the front thread to the store thread and back

  // Installs SIGINT/SIGTERM handlers that ask every running Service to stop.
  static void install_signal_handlers();

 private:
  struct Route {
    std::set<std::string> roles;
    Prepare prepare;
    Handler handler;
    RawHandler raw = nullptr;
  };

  struct Timer {
    std::chrono::milliseconds period;
    std::chrono::steady_clock::time_point next;
    std::function<void()> fn;
  };
  void front_loop();
  // Route and role checks and the prepare step; false (with the reply) if refused.
  bool admit(Request& req, Reply& refusal);
  void serve(std::vector<Work*>& works);
  Reply dispatch(const Request& req, bool savepoint, bool& dirty_failure);
  void run_batch(std::vector<Work*>& works);
  void pump_consumers();

  std::string name_;
  Config config_;
  Calendar calendar_;
  zmq::context_t ctx_;
  std::shared_ptr<KeyRegistry> registry_;
  std::unique_ptr<ZapHandler> zap_;
  CurveKeys keys_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Server> server_;
  zmq::socket_t to_store_, from_front_, to_front_, from_store_;  // inproc pipes between the threads
  std::map<std::string, Route> routes_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<Timer> timers_;
  std::vector<std::function<void()>> rollback_hooks_;
  void rolled_back();
  std::chrono::steady_clock::time_point next_poll_{};
  int64_t announced_ = -1;
  std::atomic<int64_t> commits_{0}, committed_requests_{0};  // group commit statistics
  std::atomic<bool> stop_{false};
};

// Standard main() for a service binary: parses --config, sets up logging and
// time zone, builds the service with `setup`, runs it, and turns startup
// failures into a clear message and exit code 2.
int service_main(int argc, char** argv, const std::string& name,
                 const std::vector<std::string>& migrations,
                 const std::function<void(Service&)>& setup);

}  // namespace cq
