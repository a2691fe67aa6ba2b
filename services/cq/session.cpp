#include "session.h"

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cq/calendar.h"

namespace cq::cli {

Config load_config_or_throw(const std::string& flag) {
  auto path = default_config_path(flag);
  auto cfg = load_config(path);
  if (!cfg) {
    std::string msg = "configuration: " + cfg.error().message;
    for (std::size_t i = 1; i < cfg.error().fields.size(); ++i)
      msg += "\n  " + cfg.error().fields[i].path + ": " + cfg.error().fields[i].reason;
    throw UsageError(msg);
  }
  set_process_time_zone(cfg->time_zone);
  return *cfg;
}

Session::Session(const Globals& g) : g_(g), cfg_(load_config_or_throw(g.config_flag)) {
  if (g_.user.empty()) {
    const char* e = std::getenv("CQ_USER");
    g_.user = e && *e ? e : "admin";
  }
  std::string key_file = g_.key_file;
  if (key_file.empty()) {
    const char* e = std::getenv("CQ_KEY_FILE");
    key_file = e && *e ? e : KeyPaths{cfg_.keys_dir}.user(g_.user).string();
  }
  auto k = load_curve_keys(key_file);
  if (!k)
    throw UsageError("no key for user '" + g_.user + "': " + k.error().message +
                     " (create one with `cq user add " + g_.user + " --role ROLE`, or pass --key FILE)");
  keys_ = *k;
}

Client& Session::client(const std::string& service) {
  auto it = clients_.find(service);
  if (it != clients_.end()) return *it->second;
  if (!cfg_.services.count(service)) throw UsageError("service '" + service + "' is not configured");
  KeyRegistry reg(KeyPaths{cfg_.keys_dir}.registry());
  auto pub = reg.service_key(service);
  if (!pub)
    throw UsageError("no public key for service '" + service + "' in " + reg.file().string() +
                     " (run `cq keys init`, or copy public.toml from the service host)");
  Client::Options o;
  o.endpoint = cfg_.service(service).request;
  o.server_public = *pub;
  o.keys = keys_;
  o.caller = g_.user;
  o.timeout = std::chrono::milliseconds(cfg_.request_timeout_ms);
  o.attempts = 2;
  return *clients_.emplace(service, std::make_unique<Client>(ctx_, o)).first->second;
}

std::optional<Doc> Session::call(const std::string& service, const std::string& type, const Doc& body) {
  auto r = client(service).call(type, body);
  if (!r) {
    std::cerr << "cq: " << service << ": " << r.error().message << "\n";
    fail(kExitUnavailable);
    return std::nullopt;
  }
  if (!r->ok) {
    std::cerr << "cq: " << type << " refused (" << r->code << "): " << r->message << "\n";
    auto e = r->error();
    for (std::size_t i = 0; i < e.fields.size(); ++i)
      if (i > 0 || e.fields.size() > 1) std::cerr << "  " << e.fields[i].path << ": " << e.fields[i].reason << "\n";
    fail(kExitRefused);
    return std::nullopt;
  }
  return r->body;
}

void write_output(const std::string& file, const std::string& text, const std::string& what) {
  if (file.empty()) {
    std::cout << text;
    return;
  }
  std::ofstream f(file, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw UsageError("cannot write " + file);
  std::cerr << "wrote " << what << " to " << file << "\n";
}

}  // namespace cq::cli
