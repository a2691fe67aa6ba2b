// Cryptography with libsodium: encryption at rest for reporter identities,
// keyed hashes for matching without plain values, random query codes.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "cq/error.h"

namespace cq::crypto {

// Initialises libsodium; safe to call many times. Throws if it cannot.
void init();

// A 32-byte symmetric key.
struct Key {
  std::array<unsigned char, 32> bytes{};
};

Key random_key();
// Reads a key file (64 hex characters). If `create` and the file is missing,
// writes a fresh key with mode 0600 first.
Result<Key> load_key(const std::filesystem::path& file, bool create);

// Authenticated encryption (XSalsa20-Poly1305); output is nonce || ciphertext.
std::string seal(const Key& k, std::string_view plaintext);
// nullopt if the blob was tampered with or the key is wrong.
std::optional<std::string> open(const Key& k, std::string_view sealed);

// Keyed BLAKE2b-256 of data, hex. Domain-separated by `purpose` so that the
// same key gives unrelated hashes for unrelated uses.
std::string keyed_hash(const Key& k, std::string_view purpose, std::string_view data);

// A random code of `bits` bits (rounded up to 5-bit groups) in Crockford
// base32, grouped by 4 with '-': e.g. "7KQ2-MX9D-...".
std::string random_code(int bits);
// Upper-cases and strips separators so that a code typed by a person matches.
std::string normalise_code(std::string_view code);

// Identifier normalisation for matching: trims, folds full-width digits and
// letters, drops separators; phone numbers lose a +86/0086 prefix.
std::string normalise_id_number(std::string_view s);
std::string normalise_phone(std::string_view s);
std::string normalise_name(std::string_view s);

// Validates a PRC resident ID number (18 characters, GB 11643 check digit).
bool valid_id_number(std::string_view normalised);

std::string to_hex(const unsigned char* p, std::size_t n);

// Writes a file readable only by its owner (0600), atomically (temp + rename).
void write_private_file(const std::filesystem::path& file, const std::string& content);

}  // namespace cq::crypto
