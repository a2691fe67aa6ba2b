#include "supervisor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

namespace cq::cli {

namespace {

std::atomic<int> g_stop_signal{0};
void on_signal(int s) { g_stop_signal = s; }

using Clock = std::chrono::steady_clock;

struct Child {
  SupervisedService spec;
  pid_t pid = -1;
  Clock::time_point started{};
  Clock::time_point restart_at{};
  std::chrono::milliseconds backoff{500};
  int restarts = 0;
};

pid_t spawn(const SupervisedService& s) {
  pid_t pid = fork();
  if (pid == 0) {
    // The child gets default signal handling and its own process group
    // member status, so a terminal ^C reaches it through us, not directly.
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(s.binary.c_str()));
    for (const auto& a : s.args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(s.binary.c_str(), argv.data());
    std::fprintf(stderr, "cq up: cannot start %s: %s\n", s.binary.c_str(), std::strerror(errno));
    _exit(127);
  }
  return pid;
}

}  // namespace

int supervise(const std::vector<SupervisedService>& services, bool quiet) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<Child> children;
  for (const auto& s : services) {
    Child c;
    c.spec = s;
    c.pid = spawn(s);
    c.started = Clock::now();
    if (!quiet) std::fprintf(stderr, "cq up: started %s (pid %d)\n", s.name.c_str(), c.pid);
    children.push_back(std::move(c));
  }

  while (!g_stop_signal) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    auto now = Clock::now();
    if (pid > 0) {
      for (auto& c : children)
        if (c.pid == pid) {
          c.pid = -1;
          // A stable run resets the backoff; a crash loop backs off up to 30 s.
          if (now - c.started > std::chrono::seconds(30)) c.backoff = std::chrono::milliseconds(500);
          c.restart_at = now + c.backoff;
          std::fprintf(stderr, "cq up: %s exited (%s %d); restarting in %lld ms\n", c.spec.name.c_str(),
                       WIFSIGNALED(status) ? "signal" : "status",
                       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                       static_cast<long long>(c.backoff.count()));
          c.backoff = std::min(c.backoff * 2, std::chrono::milliseconds(30000));
        }
      continue;
    }
    for (auto& c : children)
      if (c.pid < 0 && now >= c.restart_at) {
        c.pid = spawn(c.spec);
        c.started = now;
        ++c.restarts;
        std::fprintf(stderr, "cq up: restarted %s (pid %d, restart %d)\n", c.spec.name.c_str(), c.pid, c.restarts);
      }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  if (!quiet) std::fprintf(stderr, "cq up: stopping (signal %d)\n", g_stop_signal.load());
  for (auto& c : children)
    if (c.pid > 0) kill(c.pid, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    bool any = false;
    for (auto& c : children)
      if (c.pid > 0) {
        if (waitpid(c.pid, nullptr, WNOHANG) == c.pid) c.pid = -1;
        else any = true;
      }
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& c : children)
    if (c.pid > 0) {
      std::fprintf(stderr, "cq up: %s did not stop in time; killing it\n", c.spec.name.c_str());
      kill(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
    }
  if (!quiet) std::fprintf(stderr, "cq up: all services stopped\n");
  return 0;
}

}  // namespace cq::cli
