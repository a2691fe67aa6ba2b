#include "cq/keys.h"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <toml++/toml.h>

#include "cq/crypto.h"

namespace cq {

namespace fs = std::filesystem;

const std::vector<std::string>& all_roles() {
  static const std::vector<std::string> r = {role::kClerk,      role::kOfficer,
                                             role::kApprover,   role::kClarifier,
                                             role::kAccuserOfficer, role::kSupervisor,
                                             role::kAdmin,      role::kService};
  return r;
}

bool valid_role(const std::string& r) {
  for (const auto& x : all_roles())
    if (x == r) return true;
  return false;
}

CurveKeys generate_curve_keys() {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair failed (libzmq without CURVE?)");
  return {pub, sec};
}

Result<CurveKeys> load_curve_keys(const fs::path& file) {
  try {
    auto t = toml::parse_file(file.string());
    auto pub = t["public"].value<std::string>();
    auto sec = t["secret"].value<std::string>();
    if (!pub || !sec || pub->size() != 40 || sec->size() != 40)
      return Error::make(code::kInvalid, file.string() + ": expected public and secret (40 Z85 characters each)");
    return CurveKeys{*pub, *sec};
  } catch (const toml::parse_error& e) {
    if (!fs::exists(file)) return Error::make(code::kNotFound, "key file missing: " + file.string());
    return Error::make(code::kInvalid, file.string() + ": " + std::string(e.description()));
  }
}

void save_curve_keys(const fs::path& file, const CurveKeys& k, const std::string& comment) {
  crypto::write_private_file(file, "# " + comment + "\n# Keep this file secret.\npublic = \"" +
                                       k.public_key + "\"\nsecret = \"" + k.secret_key + "\"\n");
}

KeyRegistry::KeyRegistry(fs::path file) : file_(std::move(file)) {}

void KeyRegistry::reload_if_changed(bool always) {
  auto now = std::chrono::steady_clock::now();
  if (!always && now - checked_ < std::chrono::seconds(1)) return;
  checked_ = now;
  std::error_code ec;
  auto mt = fs::last_write_time(file_, ec);
  if (ec || mt == mtime_) return;
  try {
    auto t = toml::parse_file(file_.string());
    std::vector<Entry> users;
    std::vector<std::pair<std::string, std::string>> services;
    if (auto s = t["services"].as_table())
      for (auto&& [k, v] : *s)
        if (auto key = v.value<std::string>()) services.emplace_back(std::string(k.str()), *key);
    if (auto arr = t["users"].as_array())
      for (auto& n : *arr)
        if (auto u = n.as_table()) {
          auto name = (*u)["name"].value<std::string>();
          auto r = (*u)["role"].value<std::string>();
          auto key = (*u)["public"].value<std::string>();
          if (name && r && key && valid_role(*r)) users.push_back({{*name, *r}, *key});
        }
    users_ = std::move(users);
    services_ = std::move(services);
    mtime_ = mt;
  } catch (const std::exception& e) {
    spdlog::error("key registry {} unreadable, keeping the previous one: {}", file_.string(), e.what());
  }
}

std::optional<Principal> KeyRegistry::lookup(const std::string& key) {
  std::lock_guard lk(mu_);
  reload_if_changed();
  for (const auto& [name, k] : services_)
    if (k == key) return Principal{name, role::kService};
  for (const auto& e : users_)
    if (e.key == key) return e.who;
  return std::nullopt;
}

std::optional<Principal> KeyRegistry::principal(const std::string& name) {
  std::lock_guard lk(mu_);
  reload_if_changed(false);
  for (const auto& [n, k] : services_)
    if (n == name) return Principal{name, role::kService};
  for (const auto& e : users_)
    if (e.who.name == name) return e.who;
  return std::nullopt;
}

std::optional<std::string> KeyRegistry::service_key(const std::string& name) {
  std::lock_guard lk(mu_);
  reload_if_changed();
  for (const auto& [n, k] : services_)
    if (n == name) return k;
  return std::nullopt;
}

std::vector<Principal> KeyRegistry::users() {
  std::lock_guard lk(mu_);
  reload_if_changed();
  std::vector<Principal> out;
  for (const auto& e : users_) out.push_back(e.who);
  return out;
}

void KeyRegistry::write() {
  std::ostringstream o;
  o << "# Chengqing public key registry: public keys only, safe to copy to every host.\n"
       "# Services read it again when it changes. Managed by `cq keys init` and `cq user add`.\n\n"
       "[services]\n";
  for (const auto& [n, k] : services_) o << n << " = \"" << k << "\"\n";
  for (const auto& e : users_)
    o << "\n[[users]]\nname = \"" << e.who.name << "\"\nrole = \"" << e.who.role
      << "\"\npublic = \"" << e.key << "\"\n";
  fs::create_directories(file_.parent_path());
  fs::path tmp = file_;
  tmp += ".tmp";
  { std::ofstream(tmp) << o.str(); }
  fs::rename(tmp, file_);
  mtime_ = {};  // force a reload on next read
}

Result<bool> KeyRegistry::add_user(const std::string& name, const std::string& r,
                                   const std::string& key) {
  static const std::regex re("^[a-z][a-z0-9_.-]{0,39}$");
  if (!std::regex_match(name, re))
    return Error::make(code::kInvalid, "user name '" + name + "': expected lower-case letters, digits, '.', '_' or '-' (start with a letter, at most 40)");
  if (!valid_role(r) || r == role::kService)
    return Error::make(code::kInvalid, "role '" + r + "': expected one of clerk, officer, approver, clarifier, accuser_officer, supervisor, admin");
  std::lock_guard lk(mu_);
  reload_if_changed();
  for (const auto& [n, k] : services_)
    if (n == name) return Error::make(code::kConflict, "'" + name + "' is a service name");
  bool replaced = false;
  for (auto& e : users_)
    if (e.who.name == name) {
      e = {{name, r}, key};
      replaced = true;
    }
  if (!replaced) users_.push_back({{name, r}, key});
  write();
  return replaced;
}

Result<bool> KeyRegistry::set_service(const std::string& name, const std::string& key) {
  std::lock_guard lk(mu_);
  reload_if_changed();
  bool replaced = false;
  for (auto& [n, k] : services_)
    if (n == name) {
      k = key;
      replaced = true;
    }
  if (!replaced) services_.emplace_back(name, key);
  write();
  return replaced;
}

std::vector<std::string> init_keys(const KeyPaths& p, const std::vector<std::string>& services) {
  std::vector<std::string> made;
  KeyRegistry reg(p.registry());
  for (const auto& s : services) {
    auto f = p.service(s);
    if (!fs::exists(f)) {
      save_curve_keys(f, generate_curve_keys(), "CURVE key pair of service " + s);
      made.push_back(f.string());
    }
    auto k = load_curve_keys(f);
    if (k && reg.service_key(s) != k->public_key) reg.set_service(s, k->public_key);
  }
  for (const char* d : {"identity", "match", "audit", "query"}) {
    auto f = p.data(d);
    if (!fs::exists(f)) {
      crypto::load_key(f, true);
      made.push_back(f.string());
    }
  }
  if (!fs::exists(p.user("admin"))) {
    auto k = generate_curve_keys();
    save_curve_keys(p.user("admin"), k, "CURVE key pair of user admin (role admin)");
    reg.add_user("admin", role::kAdmin, k.public_key);
    made.push_back(p.user("admin").string());
  }
  return made;
}

ZapHandler::ZapHandler(zmq::context_t& ctx, std::shared_ptr<KeyRegistry> registry)
    : sock_(ctx, zmq::socket_type::rep), registry_(std::move(registry)) {
  sock_.set(zmq::sockopt::linger, 0);
  sock_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { loop(); });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapHandler::loop() {
  while (!stop_) {
    zmq::pollitem_t items[] = {{static_cast<void*>(sock_), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t&) {
      return;  // context terminated
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> frames;
    try {
      while (true) {
        zmq::message_t m;
        if (!sock_.recv(m)) break;
        bool more = m.more();
        frames.push_back(std::move(m));
        if (!more) break;
      }
    } catch (const zmq::error_t&) {
      return;
    }
    // version, request id, domain, address, routing id, mechanism, credentials...
    std::string version = frames.size() > 0 ? frames[0].to_string() : "";
    std::string req_id = frames.size() > 1 ? frames[1].to_string() : "";
    std::string mechanism = frames.size() > 5 ? frames[5].to_string() : "";
    std::string status = "400", text = "unknown key", user;
    if (version == "1.0" && mechanism == "CURVE" && frames.size() > 6 && frames[6].size() == 32) {
      char z85[41];
      zmq_z85_encode(z85, static_cast<const uint8_t*>(frames[6].data()), 32);
      if (auto p = registry_->lookup(z85)) {
        status = "200";
        text = "OK";
        user = p->name;
      } else {
        spdlog::warn("zap: refused a connection from {} with an unregistered key",
                     frames.size() > 3 ? frames[3].to_string() : "?");
      }
    } else {
      text = "CURVE required";
    }
    try {
      sock_.send(zmq::buffer(std::string("1.0")), zmq::send_flags::sndmore);
      sock_.send(zmq::buffer(req_id), zmq::send_flags::sndmore);
      sock_.send(zmq::buffer(status), zmq::send_flags::sndmore);
      sock_.send(zmq::buffer(text), zmq::send_flags::sndmore);
      sock_.send(zmq::buffer(user), zmq::send_flags::sndmore);
      sock_.send(zmq::message_t(), zmq::send_flags::none);
    } catch (const zmq::error_t&) {
      return;
    }
  }
}

}  // namespace cq
