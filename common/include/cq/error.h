// Expected failures as values: a code the caller can branch on, a message a
// person can read, and (for validation) the field paths that were wrong.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cq {

// Wire error codes (docs/protocol.md lists them all).
namespace code {
inline constexpr const char* kOk = "ok";
inline constexpr const char* kBadFrame = "bad_frame";          // not decodable msgpack / too large
inline constexpr const char* kBadEnvelope = "bad_envelope";    // envelope fields missing or wrong
inline constexpr const char* kUnsupportedVersion = "unsupported_version";
inline constexpr const char* kUnknownType = "unknown_type";
inline constexpr const char* kInvalid = "invalid";             // body failed validation
inline constexpr const char* kNotFound = "not_found";
inline constexpr const char* kForbidden = "forbidden";
inline constexpr const char* kConflict = "conflict";
inline constexpr const char* kInternal = "internal";
inline constexpr const char* kStorage = "storage";
inline constexpr const char* kUnavailable = "unavailable";     // client side: no answer
inline constexpr const char* kUnauthenticated = "unauthenticated";  // client side: key refused
}  // namespace code

// One thing wrong with an input: where (a field path such as
// "body.accused[0].region") and why.
struct FieldError {
  std::string path;
  std::string reason;
};

// An expected failure.
struct Error {
  std::string code;
  std::string message;
  std::vector<FieldError> fields;

  static Error invalid(std::vector<FieldError> f);
  static Error make(std::string c, std::string m) { return Error{std::move(c), std::move(m), {}}; }
};

// A value or an Error. Small on purpose: ok(), value(), error().
template <typename T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Collects field errors while validating a whole input, so one reply can name
// every problem at once.
class Problems {
 public:
  void add(std::string path, std::string reason) {
    list_.push_back({std::move(path), std::move(reason)});
  }
  bool empty() const { return list_.empty(); }
  const std::vector<FieldError>& list() const { return list_; }
  Error error() const { return Error::invalid(list_); }

 private:
  std::vector<FieldError> list_;
};

}  // namespace cq
