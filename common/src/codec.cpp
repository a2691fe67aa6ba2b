#include "cq/codec.h"

#include <msgpack.hpp>
#include <stdexcept>

namespace cq {

namespace {

// Converts without building paths on the way down; on failure the path is
// assembled on the way back up (only the failing branch pays for it).
struct Converter {
  std::string reason;
  std::vector<std::string> where;  // path segments, innermost first

  bool fail(std::string why) {
    reason = std::move(why);
    return false;
  }

  bool convert(const msgpack::object& o, Doc& out) {
    switch (o.type) {
      case msgpack::type::NIL: out = nullptr; return true;
      case msgpack::type::BOOLEAN: out = o.via.boolean; return true;
      case msgpack::type::POSITIVE_INTEGER: out = o.via.u64; return true;
      case msgpack::type::NEGATIVE_INTEGER: out = o.via.i64; return true;
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64: out = o.via.f64; return true;
      case msgpack::type::STR: {
        std::string_view sv(o.via.str.ptr, o.via.str.size);
        if (!valid_utf8(sv)) return fail("invalid UTF-8 in string");
        out = std::string(sv);
        return true;
      }
      case msgpack::type::ARRAY: {
        out = Doc::array();
        auto& arr = out.get_ref<Doc::array_t&>();
        arr.reserve(o.via.array.size);
        for (uint32_t i = 0; i < o.via.array.size; ++i) {
          arr.emplace_back();
          if (!convert(o.via.array.ptr[i], arr.back())) {
            where.push_back("[" + std::to_string(i) + "]");
            return false;
          }
        }
        return true;
      }
      case msgpack::type::MAP: {
        out = Doc::object();
        auto& obj = out.get_ref<Doc::object_t&>();  // a vector of (key, value): fill it in place
        obj.reserve(o.via.map.size);
        for (uint32_t i = 0; i < o.via.map.size; ++i) {
          const auto& kv = o.via.map.ptr[i];
          if (kv.key.type != msgpack::type::STR) return fail("map key that is not a string");
          std::string_view key(kv.key.via.str.ptr, kv.key.via.str.size);
          if (!valid_utf8(key)) return fail("invalid UTF-8 in a map key");
          Doc* slot = nullptr;
          for (auto& e : obj)  // a repeated key keeps its last value
            if (e.first == key) slot = &e.second;
          if (!slot) slot = &obj.emplace_back(std::string(key), Doc()).second;
          if (!convert(kv.val, *slot)) {
            where.push_back("." + std::string(key));
            return false;
          }
        }
        return true;
      }
      case msgpack::type::BIN: return fail("binary value (strings only)");
      case msgpack::type::EXT: return fail("extension value (not used)");
    }
    return fail("unknown msgpack type");
  }

  std::string message() const {
    std::string path;
    for (auto it = where.rbegin(); it != where.rend(); ++it) path += *it;
    if (!path.empty() && path[0] == '.') path.erase(0, 1);
    return path.empty() ? reason : reason + " at " + path;
  }
};

}  // namespace

Result<Doc> decode(std::string_view bytes, const UnpackLimits& lim) {
  if (bytes.size() > lim.max_frame_bytes)
    return Error::make(code::kBadFrame, "frame of " + std::to_string(bytes.size()) +
                                            " bytes exceeds the limit of " +
                                            std::to_string(lim.max_frame_bytes));
  if (bytes.empty()) return Error::make(code::kBadFrame, "empty frame");
  msgpack::unpack_limit limit(lim.max_array, lim.max_map, lim.max_str, lim.max_bin, 0,
                              lim.max_depth);
  msgpack::object_handle oh;
  std::size_t off = 0;
  try {
    oh = msgpack::unpack(bytes.data(), bytes.size(), off, nullptr, nullptr, limit);
  } catch (const msgpack::depth_size_overflow&) {
    return Error::make(code::kBadFrame, "nesting deeper than " + std::to_string(lim.max_depth));
  } catch (const msgpack::str_size_overflow&) {
    return Error::make(code::kBadFrame,
                       "a string longer than " + std::to_string(lim.max_str) + " bytes");
  } catch (const msgpack::array_size_overflow&) {
    return Error::make(code::kBadFrame,
                       "an array longer than " + std::to_string(lim.max_array) + " elements");
  } catch (const msgpack::map_size_overflow&) {
    return Error::make(code::kBadFrame,
                       "a map with more than " + std::to_string(lim.max_map) + " entries");
  } catch (const msgpack::size_overflow&) {
    return Error::make(code::kBadFrame, "a binary or extension value (not allowed)");
  } catch (const msgpack::insufficient_bytes&) {
    return Error::make(code::kBadFrame, "truncated msgpack");
  } catch (const std::exception& e) {
    return Error::make(code::kBadFrame, std::string("malformed msgpack: ") + e.what());
  }
  if (off != bytes.size())
    return Error::make(code::kBadFrame, "trailing bytes after the msgpack value");
  Converter c;
  Doc out;
  if (!c.convert(oh.get(), out)) return Error::make(code::kBadFrame, c.message());
  return out;
}

std::string encode(const Doc& doc) {
  std::string out;
  Doc::to_msgpack(doc, nlohmann::detail::output_adapter<char>(out));
  return out;
}

std::string extend_map(const std::string& enc, const Doc& extra) {
  if (enc.empty() || !extra.is_object()) throw std::invalid_argument("extend_map: not a map");
  auto b = static_cast<unsigned char>(enc[0]);
  std::size_t n, header;
  if ((b & 0xF0) == 0x80) {
    n = b & 0x0F;
    header = 1;
  } else if (b == 0xDE) {
    n = (std::size_t(static_cast<unsigned char>(enc[1])) << 8) | static_cast<unsigned char>(enc[2]);
    header = 3;
  } else if (b == 0xDF) {
    n = 0;
    for (int i = 1; i <= 4; ++i) n = (n << 8) | static_cast<unsigned char>(enc[i]);
    header = 5;
  } else {
    throw std::invalid_argument("extend_map: not a map");
  }
  std::string tail = encode(extra);  // a map: skip its own header
  auto tb = static_cast<unsigned char>(tail[0]);
  std::size_t tail_header = (tb & 0xF0) == 0x80 ? 1 : tb == 0xDE ? 3 : 5;
  std::size_t total = n + extra.size();
  std::string out;
  out.reserve(enc.size() + tail.size() + 5);
  if (total < 16) {
    out.push_back(static_cast<char>(0x80 | total));
  } else if (total < 65536) {
    out.push_back(static_cast<char>(0xDE));
    out.push_back(static_cast<char>(total >> 8));
    out.push_back(static_cast<char>(total & 0xFF));
  } else {
    out.push_back(static_cast<char>(0xDF));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((total >> (8 * i)) & 0xFF));
  }
  out.append(enc, header, std::string::npos);
  out.append(tail, tail_header, std::string::npos);
  return out;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
      return false;  // overlong
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace cq
