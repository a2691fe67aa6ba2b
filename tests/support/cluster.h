// A throw-away Chengqing installation for one test: a temp directory with
// its own configuration (fresh loopback ports or ipc endpoints), keys and
// data, real service processes started from the build, and clients.
// Everything is stopped and removed in the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "cq/config.h"
#include "cq/keys.h"
#include "cq/transport.h"

namespace cq::test {

// A child process; killed (SIGKILL) in the destructor if still running.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& out_file);
  ~Process();
  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits for exit; returns the exit status (or 128+signal), -1 on timeout.
  int wait(int timeout_ms);
  bool running();

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

class Cluster {
 public:
  struct Options {
    std::vector<std::string> services = {"intake"};
    bool ipc = false;
    std::function<void(std::string&)> edit_config;  // change the TOML text before use
  };
  Cluster();
  explicit Cluster(Options o);
  ~Cluster();

  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& config_file() const { return config_file_; }
  const Config& config() const { return config_; }

  void start(const std::string& service);
  void start_all();
  // Sends SIGKILL and reaps.
  void kill9(const std::string& service);
  // SIGTERM and wait; returns exit status.
  int stop(const std::string& service);
  // Waits until the service answers ping.
  bool wait_ready(const std::string& service, int timeout_ms = 10000);

  // Registers a user with a role; returns their key pair.
  CurveKeys add_user(const std::string& name, const std::string& role);
  // A client for `service` acting as `user` (must exist: admin always does).
  std::unique_ptr<Client> client(const std::string& service, const std::string& user, int timeout_ms = 5000,
                                 int attempts = 1);
  std::unique_ptr<Client> client_with_keys(const std::string& service, const CurveKeys& keys,
                                           int timeout_ms = 5000, int attempts = 1);
  // Runs bin/cq with this cluster's configuration; stdin_text is fed to it.
  CommandResult cq(const std::vector<std::string>& args, const std::string& stdin_text = "");
  // Everything the services logged so far (stdout/stderr and log files).
  std::string logs() const;
  zmq::context_t& ctx() { return ctx_; }

 private:
  Options opts_;
  std::filesystem::path dir_, config_file_;
  Config config_;
  zmq::context_t ctx_{1};
  std::map<std::string, std::unique_ptr<Process>> procs_;
};

// Reads a whole file.
std::string slurp(const std::filesystem::path& p);
// Runs a command line (argv) and captures its output.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text = "");
// A free TCP port on 127.0.0.1.
int free_port();

}  // namespace cq::test
