// Lenient readers for the fields of another service's event: a field that is
// missing or of another type reads as empty, so one odd event cannot stop a
// consumer's stream (events come from trusted services; requests from people
// go through cq/fields.h, which refuses instead).
#pragma once

#include <cstdint>
#include <string>

#include "cq/codec.h"

namespace cq::ev {

inline std::string str(const Doc& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline int64_t integer(const Doc& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
inline bool flag(const Doc& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace cq::ev
