#include "cq/fields.h"

#include <cmath>

#include "cq/calendar.h"

namespace cq {

Fields::Fields(const Doc& doc, std::string path, Problems& p)
    : doc_(doc), path_(std::move(path)), p_(p), is_map_(doc.is_object()) {
  if (!is_map_) p_.add(path_.empty() ? "(root)" : path_, "expected a map");
}

bool Fields::has(const std::string& key) const {
  return is_map_ && doc_.contains(key) && !doc_[key].is_null();
}

const Doc* Fields::get(const std::string& key, bool required) {
  if (!is_map_) return nullptr;
  auto it = doc_.find(key);
  if (it == doc_.end() || it->is_null()) {
    if (required) p_.add(at(key), "missing (required)");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> check_text(const std::string& s, std::size_t max_chars, std::size_t min_chars) {
  std::size_t n = utf8_length(s);
  if (n < min_chars) return min_chars == 1 ? "must not be empty" : "must have at least " + std::to_string(min_chars) + " characters";
  if (n > max_chars)
    return "too long: " + std::to_string(n) + " characters, at most " + std::to_string(max_chars);
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F)
      return "contains a control character";
  bool blank = true;
  for (unsigned char c : s)
    if (!std::isspace(c)) blank = false;
  if (blank && min_chars > 0) return "must not be blank";
  return std::nullopt;
}

std::optional<std::string> Fields::text(const std::string& key, bool required, std::size_t max_chars,
                                        std::size_t min_chars) {
  const Doc* v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    p_.add(at(key), std::string("expected a string, got ") + v->type_name());
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty() && !required) return std::nullopt;  // an empty optional field is an absent one
  if (auto why = check_text(s, max_chars, min_chars)) {
    p_.add(at(key), *why);
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Fields::boolean(const std::string& key, bool required) {
  const Doc* v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    p_.add(at(key), std::string("expected true or false, got ") + v->type_name());
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<double> Fields::number(const std::string& key, bool required, double lo, double hi) {
  const Doc* v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    p_.add(at(key), std::string("expected a number, got ") + v->type_name());
    return std::nullopt;
  }
  double d = v->get<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    p_.add(at(key), "must be between " + Doc(lo).dump() + " and " + Doc(hi).dump());
    return std::nullopt;
  }
  return d;
}

std::optional<int64_t> Fields::integer(const std::string& key, bool required, int64_t lo, int64_t hi) {
  const Doc* v = get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    p_.add(at(key), std::string("expected an integer, got ") + v->type_name());
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    p_.add(at(key), "integer out of range");
    return std::nullopt;
  }
  int64_t i = v->get<int64_t>();
  if (i < lo || i > hi) {
    p_.add(at(key), "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return std::nullopt;
  }
  return i;
}

std::optional<std::string> Fields::label(const std::string& key, bool required,
                                         const std::vector<Label>& allowed, const char* what) {
  auto s = text(key, required, 64);
  if (!s) return std::nullopt;
  if (Config::find(allowed, *s)) return s;
  std::string known;
  for (const auto& l : allowed) known += (known.empty() ? "" : ", ") + l.code;
  p_.add(at(key), std::string("unknown ") + what + " '" + *s + "' (known: " + known + ")");
  return std::nullopt;
}

std::optional<Millis> Fields::time(const std::string& key, bool required) {
  auto s = text(key, required, 40);
  if (!s) return std::nullopt;
  auto t = parse_time(*s);
  if (!t) {
    p_.add(at(key), "not a valid date/time '" + *s + "' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00])");
    return std::nullopt;
  }
  return t;
}

const Doc* Fields::map(const std::string& key, bool required) {
  const Doc* v = get(key, required);
  if (!v) return nullptr;
  if (!v->is_object()) {
    p_.add(at(key), std::string("expected a map, got ") + v->type_name());
    return nullptr;
  }
  return v;
}

const Doc* Fields::array(const std::string& key, bool required, std::size_t max_items,
                         std::size_t min_items) {
  const Doc* v = get(key, required);
  if (!v) return nullptr;
  if (!v->is_array()) {
    p_.add(at(key), std::string("expected an array, got ") + v->type_name());
    return nullptr;
  }
  if (v->size() < min_items) {
    p_.add(at(key), "needs at least " + std::to_string(min_items) + " item(s)");
    return nullptr;
  }
  if (v->size() > max_items) {
    p_.add(at(key), "too many items: " + std::to_string(v->size()) + ", at most " + std::to_string(max_items));
    return nullptr;
  }
  return v;
}

}  // namespace cq
