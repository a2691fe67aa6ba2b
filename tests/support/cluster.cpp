#include "cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cq/calendar.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace cq::test {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

namespace {
// Forks and runs argv with stdin, stdout and stderr from the given files
// (an empty path leaves that stream alone); stdout/stderr are appended to.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& in, const fs::path& out, const fs::path& err) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!in.empty()) ::dup2(::open(in.c_str(), O_RDONLY), 0);
    if (!out.empty()) ::dup2(::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600), 1);
    if (!err.empty()) ::dup2(::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}
}  // namespace

Process::Process(const std::vector<std::string>& argv, const fs::path& out_file)
    : pid_(spawn(argv, "", out_file, out_file)) {}

Process::~Process() {
  if (running()) {
    signal(SIGKILL);
    wait(5000);
  }
}

void Process::signal(int sig) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool Process::running() {
  if (pid_ <= 0 || reaped_) return false;
  int st;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

int Process::wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(10ms);
  }
  return status_;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text) {
  static std::atomic<int> n{0};
  fs::path base = fs::temp_directory_path() / ("cq-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
  fs::path in = base.string() + ".in", out = base.string() + ".out", err = base.string() + ".err";
  { std::ofstream(in) << stdin_text; }
  pid_t pid = spawn(argv, in, out, err);
  int st = 0;
  ::waitpid(pid, &st, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(in);
  fs::remove(out);
  fs::remove(err);
  return r;
}

Cluster::Cluster() : Cluster(Options{}) {}

Cluster::Cluster(Options o) : opts_(std::move(o)) {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("cq-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000));
  fs::create_directories(dir_ / "config");
  std::string text = slurp(fs::path(CQ_SOURCE_DIR) / "config/chengqing.toml");
  // Point every path at the temp dir and every endpoint at a fresh one.
  text = std::regex_replace(text, std::regex("\"\\.\\./var/"), "\"" + dir_.string() + "/var/");
  std::regex ep("tcp://127\\.0\\.0\\.1:(\\d+)");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), ep);
  std::size_t last = 0;
  int n = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += text.substr(last, it->position() - last);
    out += opts_.ipc ? "ipc://" + (dir_ / ("sock" + std::to_string(n++))).string()
                     : "tcp://127.0.0.1:" + std::to_string(free_port());
    last = it->position() + it->length();
  }
  out += text.substr(last);
  if (opts_.edit_config) opts_.edit_config(out);
  config_file_ = dir_ / "config/chengqing.toml";
  { std::ofstream(config_file_) << out; }
  auto cfg = load_config(config_file_);
  if (!cfg) throw std::runtime_error("test config invalid: " + cfg.error().message);
  config_ = *cfg;
  std::vector<std::string> all;
  for (const auto& [name, e] : config_.services) all.push_back(name);
  init_keys(KeyPaths{config_.keys_dir}, all);
}

Cluster::~Cluster() {
  for (auto& [n, p] : procs_)
    if (p) {
      p->signal(SIGTERM);
      if (p->wait(5000) < 0) p->signal(SIGKILL);
    }
  procs_.clear();
  if (!std::getenv("CQ_KEEP_TMP")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

void Cluster::start(const std::string& service) {
  fs::create_directories(dir_ / "var/log");
  std::vector<std::string> argv;
  // CQ_SERVICE_WRAPPER="valgrind --tool=callgrind" (or gdb -batch -ex run --args) runs services under a tool.
  if (const char* w = std::getenv("CQ_SERVICE_WRAPPER")) {
    std::istringstream words(w);
    for (std::string word; words >> word;) argv.push_back(word);
    if (!argv.empty() && argv[0].find('/') == std::string::npos) argv[0] = "/usr/bin/" + argv[0];
  }
  argv.insert(argv.end(), {std::string(CQ_BIN_DIR) + "/cq-" + service, "--config", config_file_.string()});
  procs_[service] = std::make_unique<Process>(argv, dir_ / "var/log" / (service + ".out"));
}

void Cluster::start_all() {
  for (const auto& s : opts_.services) start(s);
  for (const auto& s : opts_.services)
    if (!wait_ready(s)) throw std::runtime_error(s + " did not become ready:\n" + logs());
}

void Cluster::kill9(const std::string& service) {
  auto& p = procs_.at(service);
  p->signal(SIGKILL);
  p->wait(5000);
}

int Cluster::stop(const std::string& service) {
  auto& p = procs_.at(service);
  p->signal(SIGTERM);
  return p->wait(10000);
}

bool Cluster::wait_ready(const std::string& service, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto c = client(service, "admin", 300, 1);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c->call("ping", Doc::object());
    if (r && r->ok) return true;
    c = client(service, "admin", 300, 1);
  }
  return false;
}

CurveKeys Cluster::add_user(const std::string& name, const std::string& role) {
  KeyPaths p{config_.keys_dir};
  KeyRegistry reg(p.registry());
  auto k = generate_curve_keys();
  auto r = reg.add_user(name, role, k.public_key);
  if (!r) throw std::runtime_error(r.error().message);
  save_curve_keys(p.user(name), k, "test user");
  return k;
}

std::unique_ptr<Client> Cluster::client_with_keys(const std::string& service, const CurveKeys& keys,
                                                  int timeout_ms, int attempts) {
  KeyRegistry reg(KeyPaths{config_.keys_dir}.registry());
  Client::Options o;
  o.endpoint = config_.service(service).request;
  o.server_public = reg.service_key(service).value();
  o.keys = keys;
  o.caller = "test";
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.attempts = attempts;
  return std::make_unique<Client>(ctx_, o);
}

std::unique_ptr<Client> Cluster::client(const std::string& service, const std::string& user, int timeout_ms,
                                        int attempts) {
  auto keys = load_curve_keys(KeyPaths{config_.keys_dir}.user(user));
  if (!keys) throw std::runtime_error(keys.error().message);
  return client_with_keys(service, *keys, timeout_ms, attempts);
}

CommandResult Cluster::cq(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv = {std::string(CQ_BIN_DIR) + "/cq", "--config", config_file_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, stdin_text);
}

std::string Cluster::logs() const {
  std::string all;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ / "var/log", ec)) all += slurp(e.path());
  return all;
}

}  // namespace cq::test
