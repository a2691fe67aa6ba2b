#include "cq/codec.h"

#include <msgpack.hpp>

namespace cq {

namespace {

struct Converter {
  std::string err;

  bool str(const char* p, std::size_t n, const std::string& path, std::string& out) {
    std::string_view sv(p, n);
    if (!valid_utf8(sv)) {
      err = "invalid UTF-8 in string at " + path;
      return false;
    }
    out.assign(sv);
    return true;
  }

  bool convert(const msgpack::object& o, const std::string& path, Doc& out) {
    switch (o.type) {
      case msgpack::type::NIL: out = nullptr; return true;
      case msgpack::type::BOOLEAN: out = o.via.boolean; return true;
      case msgpack::type::POSITIVE_INTEGER: out = o.via.u64; return true;
      case msgpack::type::NEGATIVE_INTEGER: out = o.via.i64; return true;
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64: out = o.via.f64; return true;
      case msgpack::type::STR: {
        std::string s;
        if (!str(o.via.str.ptr, o.via.str.size, path, s)) return false;
        out = std::move(s);
        return true;
      }
      case msgpack::type::ARRAY: {
        out = Doc::array();
        for (uint32_t i = 0; i < o.via.array.size; ++i) {
          Doc v;
          if (!convert(o.via.array.ptr[i], path + "[" + std::to_string(i) + "]", v)) return false;
          out.push_back(std::move(v));
        }
        return true;
      }
      case msgpack::type::MAP: {
        out = Doc::object();
        for (uint32_t i = 0; i < o.via.map.size; ++i) {
          const auto& kv = o.via.map.ptr[i];
          if (kv.key.type != msgpack::type::STR) {
            err = "map key that is not a string at " + path;
            return false;
          }
          std::string key;
          if (!str(kv.key.via.str.ptr, kv.key.via.str.size, path, key)) return false;
          Doc v;
          if (!convert(kv.val, path.empty() ? key : path + "." + key, v)) return false;
          out[key] = std::move(v);  // a repeated key keeps its last value
        }
        return true;
      }
      case msgpack::type::BIN: err = "binary value at " + path + " (strings only)"; return false;
      case msgpack::type::EXT: err = "extension value at " + path + " (not used)"; return false;
    }
    err = "unknown msgpack type at " + path;
    return false;
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
  if (!c.convert(oh.get(), "", out)) return Error::make(code::kBadFrame, c.err);
  return out;
}

std::string encode(const Doc& doc) {
  std::string out;
  Doc::to_msgpack(doc, nlohmann::detail::output_adapter<char>(out));
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
