// Checking service replies in doctest tests.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "cq/transport.h"

namespace cq::test {

// The reply's body; fails the test if there was no reply or it was a refusal.
inline Doc ok(Result<Reply> r) {
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE_MESSAGE(r->ok, r->code << ": " << r->message);
  return r->body;
}

// "code: message" of a refusal; fails the test if the request was not refused.
inline std::string refused(Result<Reply> r) {
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->ok);
  return r->code + ": " + r->message;
}

// Asks again until the service answers ok (e.g. triage.show once triage has
// read intake's event); fails the test after timeout_ms.
inline Doc eventually_ok(Client& c, const std::string& type, const Doc& body, int timeout_ms = 10000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.call(type, body);
    if (r && r->ok) return r->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  FAIL(type << " " << body.dump() << " did not succeed within " << timeout_ms << " ms");
  return {};
}

}  // namespace cq::test
