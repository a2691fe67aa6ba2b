// Logging: spdlog to stderr and to <log_dir>/<name>.log. Quiet at the default
// level; lines carry the service, and handlers add request id and case
// number. Never log a reporter's identity.
#pragma once

#include <filesystem>
#include <string>

namespace cq::log {

// Sets up the default logger. An empty dir logs to stderr only.
void init(const std::string& name, const std::filesystem::path& dir, const std::string& level);

}  // namespace cq::log
