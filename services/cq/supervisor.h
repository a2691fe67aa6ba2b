// `cq up`: starts every configured service as a child process, restarts a
// child that dies (with exponential backoff, reset after a stable run), and
// stops them all cleanly on SIGINT/SIGTERM (SIGTERM, then SIGKILL after a grace period).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cq::cli {

struct SupervisedService {
  std::string name;
  std::filesystem::path binary;
  std::vector<std::string> args;
};

// Runs until signalled. Returns the exit code for cq.
int supervise(const std::vector<SupervisedService>& services, bool quiet);

}  // namespace cq::cli
