// Who is who on the wire. Every socket uses CURVE; a ZAP handler maps the
// client's public key to a principal (user + role) from the public key
// registry and refuses keys it does not know.
//
// Key directory layout (keys_dir in the configuration):
//   public.toml            services' and users' public keys, with roles (shareable)
//   services/<name>.key    a service's CURVE key pair (secret: that host only)
//   users/<name>.key       a person's CURVE key pair (secret: that person only)
//   data/<name>.key        symmetric keys (identity encryption, matching, audit)
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "cq/error.h"

namespace cq {

namespace role {
inline constexpr const char* kClerk = "clerk";
inline constexpr const char* kOfficer = "officer";
inline constexpr const char* kApprover = "approver";
inline constexpr const char* kClarifier = "clarifier";
inline constexpr const char* kAccuserOfficer = "accuser_officer";
inline constexpr const char* kSupervisor = "supervisor";
inline constexpr const char* kAdmin = "admin";
inline constexpr const char* kService = "service";
}  // namespace role
bool valid_role(const std::string& r);
const std::vector<std::string>& all_roles();

// The authenticated peer of a request.
struct Principal {
  std::string name;
  std::string role;
};

// A CURVE key pair in Z85 text (40 characters each).
struct CurveKeys {
  std::string public_key;
  std::string secret_key;
};

CurveKeys generate_curve_keys();
Result<CurveKeys> load_curve_keys(const std::filesystem::path& file);
void save_curve_keys(const std::filesystem::path& file, const CurveKeys& k,
                     const std::string& comment);

// The public key registry (keys_dir/public.toml). Reloaded when the file changes,
// so `cq user add` takes effect without restarting services.
class KeyRegistry {
 public:
  explicit KeyRegistry(std::filesystem::path file);
  // The principal for a public key, or nullopt for an unknown key.
  std::optional<Principal> lookup(const std::string& public_z85);
  // The principal a ZAP User-Id names (a user or a service). Cheap: the file
  // is re-read at most once a second here (ZAP look-ups always re-read it).
  std::optional<Principal> principal(const std::string& name);
  // A service's public key (what clients need to reach it).
  std::optional<std::string> service_key(const std::string& service);
  std::vector<Principal> users();
  // Adds or replaces entries and rewrites the file atomically.
  Result<bool> add_user(const std::string& name, const std::string& role,
                        const std::string& public_z85);
  Result<bool> set_service(const std::string& name, const std::string& public_z85);
  const std::filesystem::path& file() const { return file_; }

 private:
  struct Entry {
    Principal who;
    std::string key;
  };
  void reload_if_changed(bool always = true);  // requires mu_
  void write();              // requires mu_
  std::filesystem::path file_;
  std::mutex mu_;
  std::filesystem::file_time_type mtime_{};
  std::chrono::steady_clock::time_point checked_{};
  std::vector<Entry> users_;                                  // GUARDED_BY(mu_)
  std::vector<std::pair<std::string, std::string>> services_;  // name, key; GUARDED_BY(mu_)
};

// Paths inside the key directory.
struct KeyPaths {
  std::filesystem::path dir;
  std::filesystem::path registry() const { return dir / "public.toml"; }
  std::filesystem::path service(const std::string& n) const { return dir / "services" / (n + ".key"); }
  std::filesystem::path user(const std::string& n) const { return dir / "users" / (n + ".key"); }
  std::filesystem::path data(const std::string& n) const { return dir / "data" / (n + ".key"); }
};

// Creates what is missing: a key pair for each named service (registered in
// public.toml), the shared data keys, and an "admin" user. Returns what it made.
std::vector<std::string> init_keys(const KeyPaths& paths, const std::vector<std::string>& services);

// ZAP handler (RFC 27) on inproc://zeromq.zap.01 in a context. Must be
// constructed before any CURVE server socket of that context binds.
class ZapHandler {
 public:
  ZapHandler(zmq::context_t& ctx, std::shared_ptr<KeyRegistry> registry);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void loop();
  zmq::socket_t sock_;
  std::shared_ptr<KeyRegistry> registry_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cq
