#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <sys/stat.h>

#include "cq/crypto.h"

using namespace cq::crypto;

TEST_CASE("crypto: sealed identities open only with the right key, untouched") {
  auto k = random_key(), other = random_key();
  std::string secret = R"({"name":"王五","phone":"13900001111"})";
  auto sealed = seal(k, secret);
  CHECK(sealed.find("13900001111") == std::string::npos);
  CHECK(open(k, sealed).value() == secret);
  CHECK_FALSE(open(other, sealed).has_value());
  auto tampered = sealed;
  tampered[tampered.size() - 1] ^= 1;
  CHECK_FALSE(open(k, tampered).has_value());
  CHECK_FALSE(open(k, "short").has_value());
  CHECK(seal(k, secret) != sealed);  // fresh nonce each time
}

TEST_CASE("crypto: keyed hashes depend on key and purpose, and match for equal input") {
  auto k = random_key(), k2 = random_key();
  CHECK(keyed_hash(k, "reporter.id", "110105") == keyed_hash(k, "reporter.id", "110105"));
  CHECK(keyed_hash(k, "reporter.id", "110105") != keyed_hash(k2, "reporter.id", "110105"));
  CHECK(keyed_hash(k, "reporter.id", "110105") != keyed_hash(k, "reporter.phone", "110105"));
  CHECK(keyed_hash(k, "a", "bc") != keyed_hash(k, "ab", "c"));
  CHECK(keyed_hash(k, "x", "y").size() == 64);
}

TEST_CASE("crypto: query codes are long, random and forgiving to type") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto c = random_code(80);
    CHECK(c.size() == 19);  // 16 symbols (80 bits) in 4 groups
    CHECK(normalise_code(c) == c);
    seen.insert(c);
  }
  CHECK(seen.size() == 1000);
  CHECK(normalise_code("abcd efgh-o1il") == "ABCD-EFGH-0111");
}

TEST_CASE("crypto: identifiers are normalised before matching") {
  CHECK(normalise_phone("+86 138-0013-8000") == "13800138000");
  CHECK(normalise_phone("１３８００１３８０００") == "13800138000");  // full-width digits
  CHECK(normalise_id_number("11010519491231002x") == "11010519491231002X");
  CHECK(valid_id_number("11010519491231002X"));
  CHECK(valid_id_number("440304199001011233"));
  CHECK_FALSE(valid_id_number("440304199001011234"));
  CHECK_FALSE(valid_id_number("4403041990010112"));
  CHECK(normalise_name(" 张 三 ") == "张三");
}

TEST_CASE("crypto: key files are created private and read back") {
  auto dir = std::filesystem::temp_directory_path() / ("cq-key-" + std::to_string(::getpid()));
  auto f = dir / "data" / "k.key";
  auto a = load_key(f, true);
  REQUIRE(a.ok());
  struct stat st {};
  ::stat(f.c_str(), &st);
  CHECK((st.st_mode & 0777) == 0600);
  auto b = load_key(f, false);
  REQUIRE(b.ok());
  CHECK(a->bytes == b->bytes);
  CHECK_FALSE(load_key(dir / "missing.key", false).ok());
  std::filesystem::remove_all(dir);
}
