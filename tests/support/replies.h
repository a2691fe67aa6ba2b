// Checking service replies in doctest tests.
#pragma once

#include <doctest/doctest.h>

#include <string>

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

}  // namespace cq::test
