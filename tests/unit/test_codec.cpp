#include <doctest/doctest.h>
#include <msgpack.hpp>

#include "cq/codec.h"

using cq::Doc;

namespace {
template <typename F>
std::string pack(F f) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  f(pk);
  return std::string(buf.data(), buf.size());
}
std::string error_of(const std::string& bytes, cq::UnpackLimits lim = {}) {
  auto r = cq::decode(bytes, lim);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_frame");
  return r.error().message;
}
}  // namespace

TEST_CASE("codec: a document survives encode and decode, Chinese text included") {
  Doc d{{"case_no", "XF2026-000001"}, {"n", -42}, {"big", 1ull << 40}, {"x", 1.5}, {"ok", true},
        {"none", nullptr}, {"list", Doc::array({"来信", 2, Doc{{"k", "v"}}})}};
  auto r = cq::decode(cq::encode(d));
  REQUIRE(r.ok());
  CHECK(*r == d);
}

TEST_CASE("codec: limits and malformed frames are refused with the reason") {
  cq::UnpackLimits lim;
  lim.max_frame_bytes = 100;
  CHECK(error_of(std::string(200, 'a'), lim).find("exceeds the limit") != std::string::npos);
  CHECK(error_of("").find("empty") != std::string::npos);
  CHECK(error_of("\x82\xa1").find("truncated") != std::string::npos);
  CHECK(error_of(cq::encode(Doc{{"a", 1}}) + "x").find("trailing") != std::string::npos);
  CHECK(error_of("\xc1").find("malformed") != std::string::npos);  // 0xc1 is never used

  lim = {};
  lim.max_str = 10;
  CHECK(error_of(cq::encode(Doc{{"a", std::string(50, 'x')}}), lim).find("string longer") != std::string::npos);
  lim = {};
  lim.max_depth = 3;
  CHECK(error_of(cq::encode(Doc::parse("[[[[[1]]]]]")), lim).find("nesting") != std::string::npos);
  lim = {};
  lim.max_array = 3;
  CHECK(error_of(cq::encode(Doc::array({1, 2, 3, 4, 5})), lim).find("array longer") != std::string::npos);
  lim = {};
  lim.max_map = 2;
  CHECK(error_of(cq::encode(Doc{{"a", 1}, {"b", 2}, {"c", 3}}), lim).find("more than 2 entries") != std::string::npos);
}

TEST_CASE("codec: invalid UTF-8, non-string keys and binary values are refused with a path") {
  auto bad_utf8 = pack([](auto& pk) {
    pk.pack_map(1);
    pk.pack(std::string("body"));
    pk.pack_map(1);
    pk.pack(std::string("summary"));
    pk.pack(std::string("\xe4\xb8", 2));
  });
  CHECK(error_of(bad_utf8) == "invalid UTF-8 in string at body.summary");
  auto int_key = pack([](auto& pk) {
    pk.pack_map(1);
    pk.pack(7);
    pk.pack(1);
  });
  CHECK(error_of(int_key).find("not a string") != std::string::npos);
  auto bin = pack([](auto& pk) {
    pk.pack_map(1);
    pk.pack(std::string("b"));
    pk.pack_bin(2);
    pk.pack_bin_body("\x01\x02", 2);
  });
  CHECK(error_of(bin).find("binary or extension") != std::string::npos);
}

TEST_CASE("codec: UTF-8 validation rejects overlongs and surrogates, counts code points") {
  CHECK(cq::valid_utf8("澄清 ok"));
  CHECK_FALSE(cq::valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(cq::valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(cq::valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(cq::valid_utf8("\xff"));
  CHECK(cq::utf8_length("澄清ab") == 4);
}
