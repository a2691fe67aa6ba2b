#include "cq/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <regex>
#include <set>
#include <toml++/toml.h>

#include "cq/calendar.h"

namespace cq {

namespace fs = std::filesystem;

int Config::deadline(const std::string& name, int fallback) const {
  auto it = deadlines.find(name);
  return it == deadlines.end() ? fallback : it->second;
}

const Label* Config::find(const std::vector<Label>& v, const std::string& code) {
  for (const auto& l : v)
    if (l.code == code) return &l;
  return nullptr;
}

std::string Config::name_of(const std::vector<Label>& v, const std::string& code) {
  const Label* l = find(v, code);
  return l ? l->name : code;
}

namespace {

bool valid_endpoint(const std::string& e) {
  static const std::regex re(R"(^(tcp://[^:\s]+:\d{1,5}|ipc://\S+|inproc://\S+)$)");
  return std::regex_match(e, re);
}

struct Reader {
  Problems& p;

  std::string str(const toml::table& t, const std::string& prefix, const char* key,
                  const std::string& def) {
    auto n = t.get(key);
    if (!n) return def;
    if (auto v = n->value<std::string>()) return *v;
    p.add(prefix + key, "expected a string");
    return def;
  }
  int integer(const toml::table& t, const std::string& prefix, const char* key, int def, int lo,
              int hi) {
    auto n = t.get(key);
    if (!n) return def;
    auto v = n->value<int64_t>();
    if (!v || !n->is_integer()) {
      p.add(prefix + key, "expected an integer");
      return def;
    }
    if (*v < lo || *v > hi) {
      p.add(prefix + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return def;
    }
    return static_cast<int>(*v);
  }
  std::vector<Label> labels(const toml::table& t, const char* key) {
    std::vector<Label> out;
    auto n = t.get(key);
    if (!n) {
      p.add(key, "missing (a list of {code, name})");
      return out;
    }
    auto arr = n->as_array();
    if (!arr) {
      p.add(key, "expected an array of tables {code, name}");
      return out;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string path = std::string(key) + "[" + std::to_string(i) + "]";
      auto tt = arr->get(i)->as_table();
      if (!tt) {
        p.add(path, "expected a table {code, name}");
        continue;
      }
      Label l{str(*tt, path + ".", "code", ""), str(*tt, path + ".", "name", "")};
      if (l.code.empty() || !std::regex_match(l.code, std::regex("^[a-z0-9_-]{1,40}$")))
        p.add(path + ".code", "expected lower-case letters, digits, '-' or '_' (1-40)");
      else if (!seen.insert(l.code).second)
        p.add(path + ".code", "duplicate code '" + l.code + "'");
      if (l.name.empty()) l.name = l.code;
      out.push_back(std::move(l));
    }
    if (out.empty()) p.add(key, "must not be empty");
    return out;
  }
  std::vector<std::string> dates(const toml::table& t, const std::string& prefix, const char* key,
                                 bool ranges) {
    std::vector<std::string> out;
    auto n = t.get(key);
    if (!n) return out;
    auto arr = n->as_array();
    if (!arr) {
      p.add(prefix + key, "expected an array of dates \"YYYY-MM-DD\"");
      return out;
    }
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string path = prefix + key + "[" + std::to_string(i) + "]";
      auto v = arr->get(i)->value<std::string>();
      if (!v) {
        p.add(path, "expected a string date \"YYYY-MM-DD\"");
        continue;
      }
      auto dots = v->find("..");
      std::string a = dots == std::string::npos ? *v : v->substr(0, dots);
      std::string b = dots == std::string::npos ? *v : v->substr(dots + 2);
      if (dots != std::string::npos && !ranges) {
        p.add(path, "ranges are not allowed here");
        continue;
      }
      auto da = Date::parse(a), db = Date::parse(b);
      if (!da || !db) {
        p.add(path, "not a valid date or range: '" + *v + "'");
        continue;
      }
      if (*db < *da || db->days() - da->days() > 60) {
        p.add(path, "range must run forward and span at most 60 days");
        continue;
      }
      for (int d = da->days(); d <= db->days(); ++d) out.push_back(Date::from_days(d).str());
    }
    return out;
  }
};

}  // namespace

namespace {

// Tables merge key by key; anything else (values, arrays) is replaced.
void merge_into(toml::table& base, const toml::table& over) {
  for (auto&& [k, v] : over) {
    auto* bt = base[k].as_table();
    if (bt && v.is_table()) merge_into(*bt, *v.as_table());
    else base.insert_or_assign(k, v);
  }
}

// Parses a file's text; a top-level `base = "file.toml"` layers this file
// over that one (resolved against base_dir), so a deployment file holds
// only what differs from the defaults.
Result<toml::table> parse_layered(const std::string& text, const fs::path& base_dir,
                                  const std::string& source_name, int depth) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return Error::invalid({{source_name + ":" + std::to_string(b.line) + ":" +
                                std::to_string(b.column),
                            std::string(e.description())}});
  }
  auto base = root["base"].value<std::string>();
  if (!base) {
    if (root.contains("base")) return Error::invalid({{source_name + ": base", "expected a file name"}});
    return root;
  }
  if (depth > 4) return Error::invalid({{source_name + ": base", "layered more than 4 deep"}});
  fs::path file = fs::path(*base).is_absolute() ? fs::path(*base) : base_dir / *base;
  std::ifstream in(file);
  if (!in) return Error::invalid({{source_name + ": base", "cannot read " + file.string()}});
  std::stringstream ss;
  ss << in.rdbuf();
  auto under = parse_layered(ss.str(), file.parent_path(), file.string(), depth + 1);
  if (!under) return under.error();
  root.erase("base");
  merge_into(*under, root);
  return std::move(*under);
}

}  // namespace

Result<Config> parse_config(const std::string& text, const fs::path& base_dir,
                            const std::string& source_name) {
  auto layered = parse_layered(text, base_dir, source_name, 0);
  if (!layered) return layered.error();
  toml::table root = std::move(*layered);
  Problems p;
  Reader r{p};
  Config c;
  c.raw = std::make_shared<toml::table>(root);

  static const std::set<std::string> known = {
      "data_dir", "keys_dir", "log_dir",  "log_level", "time_zone", "max_frame_bytes",
      "request_timeout_ms", "services", "calendar", "deadlines", "channels", "categories",
      "regions", "levels", "intake", "triage", "clarify", "registry", "stats"};
  for (auto&& [k, v] : root)
    if (!known.count(std::string(k.str())))
      p.add(std::string(k.str()), "unknown key (misspelt?)");

  auto resolve = [&](const std::string& s) {
    fs::path x(s);
    return x.is_absolute() ? x : fs::weakly_canonical(base_dir / x);
  };
  c.data_dir = resolve(r.str(root, "", "data_dir", "../var/data"));
  c.keys_dir = resolve(r.str(root, "", "keys_dir", "../var/keys"));
  c.log_dir = resolve(r.str(root, "", "log_dir", "../var/log"));
  c.log_level = r.str(root, "", "log_level", "info");
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(c.log_level)) p.add("log_level", "expected one of trace, debug, info, warn, error, off");
  c.time_zone = r.str(root, "", "time_zone", "Asia/Shanghai");
  if (!time_zone_exists(c.time_zone))
    p.add("time_zone", "unknown time zone '" + c.time_zone + "' (expected an IANA name such as Asia/Shanghai)");
  c.max_frame_bytes = r.integer(root, "", "max_frame_bytes", 1 << 20, 4096, 64 << 20);
  c.request_timeout_ms = r.integer(root, "", "request_timeout_ms", 5000, 100, 600000);

  if (auto svc = root["services"].as_table()) {
    for (auto&& [k, v] : *svc) {
      std::string name(k.str());
      std::string prefix = "services." + name + ".";
      auto t = v.as_table();
      if (!t) {
        p.add("services." + name, "expected a table {request, publish}");
        continue;
      }
      ServiceEndpoints e;
      e.name = name;
      e.request = r.str(*t, prefix, "request", "");
      e.publish = r.str(*t, prefix, "publish", "");
      e.bind_request = r.str(*t, prefix, "bind_request", e.request);
      e.bind_publish = r.str(*t, prefix, "bind_publish", e.publish);
      for (auto [key, val] : {std::pair{"request", &e.request}, {"publish", &e.publish},
                              {"bind_request", &e.bind_request}, {"bind_publish", &e.bind_publish}})
        if (!valid_endpoint(*val))
          p.add(prefix + key, "expected a ZeroMQ endpoint like tcp://127.0.0.1:7101 or ipc:///path, got '" + *val + "'");
      c.services[name] = e;
    }
  } else {
    p.add("services", "missing (a table of service endpoints)");
  }
  if (!c.services.count("intake")) p.add("services.intake", "missing (intake must be configured)");

  if (auto cal = root["calendar"].as_table()) {
    c.holidays = r.dates(*cal, "calendar.", "holidays", true);
    c.workdays = r.dates(*cal, "calendar.", "workdays", false);
  }
  if (auto d = root["deadlines"].as_table()) {
    for (auto&& [k, v] : *d) {
      std::string key(k.str());
      c.deadlines[key] = r.integer(*d, "deadlines.", key.c_str(), 0, 0, 3650);
    }
  }
  c.channels = r.labels(root, "channels");
  c.categories = r.labels(root, "categories");
  c.regions = r.labels(root, "regions");
  c.levels = r.labels(root, "levels");
  if (auto in = root["intake"].as_table()) {
    auto& s = c.intake;
    s.duplicate_window_days = r.integer(*in, "intake.", "duplicate_window_days", s.duplicate_window_days, 0, 3650);
    s.max_summary_chars = r.integer(*in, "intake.", "max_summary_chars", s.max_summary_chars, 10, 10000);
    s.max_details_chars = r.integer(*in, "intake.", "max_details_chars", s.max_details_chars, 100, 200000);
    s.max_accused = r.integer(*in, "intake.", "max_accused", s.max_accused, 1, 200);
    s.max_list_items = r.integer(*in, "intake.", "max_list_items", s.max_list_items, 1, 1000);
    s.max_import_batch = r.integer(*in, "intake.", "max_import_batch", s.max_import_batch, 1, 10000);
  }
  if (!p.empty()) {
    auto list = p.list();
    for (auto& f : list) f.path = source_name + ": " + f.path;
    return Error::invalid(std::move(list));
  }
  return c;
}

Result<Config> load_config(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec))
    return Error::make(code::kNotFound, "configuration file not found: " + file.string());
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto abs = fs::absolute(file);
  auto r = parse_config(ss.str(), abs.parent_path(), file.string());
  if (r) r->file = abs;
  return r;
}

fs::path default_config_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("CQ_CONFIG"); e && *e) return e;
  return "config/chengqing.toml";
}

}  // namespace cq
