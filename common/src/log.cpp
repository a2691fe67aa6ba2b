#include "cq/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace cq::log {

void init(const std::string& name, const std::filesystem::path& dir, const std::string& level) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!dir.empty()) {
    try {
      std::filesystem::create_directories(dir);
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>((dir / (name + ".log")).string()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: cannot open log file in %s: %s\n", name.c_str(), dir.c_str(), e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %n %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  // Logging must never hurt the caller: failures are reported once, not thrown.
  spdlog::set_error_handler([](const std::string& msg) { std::fprintf(stderr, "log error: %s\n", msg.c_str()); });
}

}  // namespace cq::log
