// What every cq command needs: the configuration, who the user is (their
// key), and a client for a named service.
#pragma once

#include <memory>
#include <string>
#include <zmq.hpp>

#include "cq/config.h"
#include "cq/keys.h"
#include "cq/transport.h"

namespace cq::cli {

// Exit codes: 0 done; 1 the service refused (invalid, not found, forbidden);
// 2 usage or configuration error; 3 a service did not answer.
inline constexpr int kExitRefused = 1, kExitUsage = 2, kExitUnavailable = 3;

struct Globals {
  std::string config_flag;
  std::string user;      // --as, $CQ_USER, else "admin"
  std::string key_file;  // --key, $CQ_KEY_FILE, else keys_dir/users/<user>.key
  bool json = false;
};

class Session {
 public:
  explicit Session(const Globals& g);
  const Config& config() const { return cfg_; }
  // Sends one request; prints any failure to stderr and sets exit_code().
  std::optional<Doc> call(const std::string& service, const std::string& type, const Doc& body);
  Client& client(const std::string& service);
  int exit_code() const { return exit_; }
  void fail(int code) { exit_ = std::max(exit_, code); }

 private:
  Globals g_;
  Config cfg_;
  CurveKeys keys_;
  zmq::context_t ctx_{1};
  std::map<std::string, std::unique_ptr<Client>> clients_;
  int exit_ = 0;
};

// Thrown for usage / configuration problems; main prints it and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Config load_config_or_throw(const std::string& flag);

// Writes text to standard output, or to the file when one is named (and
// says so on standard error); a file that cannot be written is a UsageError.
void write_output(const std::string& file, const std::string& text, const std::string& what);

}  // namespace cq::cli
