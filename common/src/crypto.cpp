#include "cq/crypto.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace cq::crypto {

namespace fs = std::filesystem;

void init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Key random_key() {
  Key k;
  randombytes_buf(k.bytes.data(), k.bytes.size());
  return k;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

void write_private_file(const fs::path& file, const std::string& content) {
  fs::create_directories(file.parent_path());
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
    ::chmod(tmp.c_str(), 0600);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

Result<Key> load_key(const fs::path& file, bool create) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    if (!create) return Error::make("not_found", "key file missing: " + file.string());
    Key k = random_key();
    write_private_file(file, to_hex(k.bytes.data(), k.bytes.size()) + "\n");
    return k;
  }
  std::ifstream in(file);
  std::string hex;
  in >> hex;
  Key k;
  std::size_t len = 0;
  if (hex.size() != 64 ||
      sodium_hex2bin(k.bytes.data(), k.bytes.size(), hex.data(), hex.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != 32)
    return Error::make("invalid", "key file " + file.string() + " does not hold 64 hex digits");
  return k;
}

std::string seal(const Key& k, std::string_view pt) {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + pt.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(o + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(pt.data()), pt.size(), o,
                        k.bytes.data());
  return out;
}

std::optional<std::string> open(const Key& k, std::string_view sealed) {
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 s + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, s,
                                 k.bytes.data()) != 0)
    return std::nullopt;
  return out;
}

std::string keyed_hash(const Key& k, std::string_view purpose, std::string_view data) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, k.bytes.data(), k.bytes.size(), 32);
  unsigned char len = static_cast<unsigned char>(purpose.size());
  crypto_generichash_update(&st, &len, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(purpose.data()),
                            purpose.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return to_hex(out, sizeof out);
}

namespace {
const char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Folds full-width ASCII (U+FF01..U+FF5E) to ASCII and drops anything in `drop`.
std::string fold(std::string_view s, std::string_view drop) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == 0xEF && i + 2 < s.size()) {
      unsigned cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        char a = static_cast<char>(cp - 0xFF01 + 0x21);
        if (drop.find(a) == std::string_view::npos) out.push_back(a);
        i += 2;
        continue;
      }
    }
    if (c == 0xE3 && i + 2 < s.size() && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x80) {  // ideographic space
      i += 2;
      continue;
    }
    if (c < 0x80 && drop.find(static_cast<char>(c)) != std::string_view::npos) continue;
    out.push_back(static_cast<char>(c));
  }
  return out;
}
}  // namespace

std::string random_code(int bits) {
  int symbols = (bits + 4) / 5;
  std::vector<unsigned char> raw(symbols);
  randombytes_buf(raw.data(), raw.size());  // one call: each byte gives one 5-bit symbol
  std::string out;
  for (int i = 0; i < symbols; ++i) {
    if (i && i % 4 == 0) out.push_back('-');
    out.push_back(kCrockford[raw[i] & 31]);
  }
  return out;
}

std::string normalise_code(std::string_view code) {
  std::string out;
  for (char c : fold(code, " -\t")) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    out.push_back(c);
  }
  std::string grouped;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i && i % 4 == 0) grouped.push_back('-');
    grouped.push_back(out[i]);
  }
  return grouped;
}

std::string normalise_id_number(std::string_view s) {
  std::string out = fold(s, " -\t");
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string normalise_phone(std::string_view s) {
  std::string out = fold(s, " -\t()");
  if (out.rfind("+86", 0) == 0) out = out.substr(3);
  else if (out.rfind("0086", 0) == 0) out = out.substr(4);
  return out;
}

std::string normalise_name(std::string_view s) {
  std::string out = fold(s, " \t");
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool valid_id_number(std::string_view id) {
  if (id.size() != 18) return false;
  static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char check[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
    sum += (id[i] - '0') * w[i];
  }
  return id[17] == check[sum % 11];
}

}  // namespace cq::crypto
