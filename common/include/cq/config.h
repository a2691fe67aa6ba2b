// The one TOML configuration file (config/chengqing.toml), loaded and checked.
// Every problem names the key it is about. Relative paths are resolved
// against the directory that holds the file.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cq/error.h"

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace cq {

// Where one service listens: its ROUTER (requests) and its PUB (event wake-ups).
struct ServiceEndpoints {
  std::string name;
  std::string request;  // e.g. tcp://127.0.0.1:7101 or ipc:///run/cq/intake.req
  std::string publish;  // e.g. tcp://127.0.0.1:7102
  std::string bind_request;  // what the service binds (defaults to request)
  std::string bind_publish;  // defaults to publish
};

// A configured enumeration value: a stable code and the label people read.
struct Label {
  std::string code;
  std::string name;
};

struct IntakeSettings {
  int duplicate_window_days = 90;  // same reporter+accused+category within this window
  int max_summary_chars = 200;
  int max_details_chars = 20000;
  int max_accused = 20;
  int max_list_items = 50;  // witnesses, evidence entries
  int max_import_batch = 1000;
};

struct Config {
  std::filesystem::path file;      // the file this came from
  std::filesystem::path data_dir;  // one SQLite file per service lives here
  std::filesystem::path keys_dir;  // CURVE keys, data keys, the user registry
  std::filesystem::path log_dir;
  std::string log_level = "info";
  std::string time_zone = "Asia/Shanghai";
  std::size_t max_frame_bytes = 1 << 20;
  int request_timeout_ms = 5000;
  std::map<std::string, ServiceEndpoints> services;
  std::vector<std::string> holidays;  // ISO dates, ranges expanded
  std::vector<std::string> workdays;  // make-up working days (调休) on weekends
  std::map<std::string, int> deadlines;  // working days, by name
  std::vector<Label> channels, categories, regions, levels;
  IntakeSettings intake;
  std::shared_ptr<toml::table> raw;  // the whole file, for service-specific sections

  // The endpoints of a named service; throws std::out_of_range if not configured.
  const ServiceEndpoints& service(const std::string& name) const { return services.at(name); }
  // Deadline in working days, or fallback if not configured.
  int deadline(const std::string& name, int fallback) const;
  // Label lookup by code (nullptr if unknown).
  static const Label* find(const std::vector<Label>& v, const std::string& code);
  // The label's name, or the code itself if it is not configured (any more).
  static std::string name_of(const std::vector<Label>& v, const std::string& code);
};

// Loads and validates a configuration file. Errors are code "invalid" with
// one FieldError per bad key ("services.intake.request: ...").
Result<Config> load_config(const std::filesystem::path& file);

// Same, from text (used by tests); base_dir resolves relative paths.
Result<Config> parse_config(const std::string& text, const std::filesystem::path& base_dir,
                            const std::string& source_name = "<config>");

// The configuration file to use: --config flag, else $CQ_CONFIG, else
// config/chengqing.toml under the current directory.
std::filesystem::path default_config_path(const std::string& flag);

}  // namespace cq
