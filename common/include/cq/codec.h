// The wire format: msgpack, decoded with hard limits because frames come from
// untrusted peers. Bodies are handled as generic documents (Doc) so that
// validation can name the exact field path that is wrong and unknown fields
// are ignored by construction.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cq/error.h"

namespace cq {

// A decoded msgpack map/array/scalar. Insertion order is kept for readable output.
using Doc = nlohmann::ordered_json;

// Bounds applied while decoding one untrusted frame.
struct UnpackLimits {
  std::size_t max_frame_bytes = 1 << 20;  // whole frame
  std::size_t max_str = 256 * 1024;       // one string, bytes
  std::size_t max_bin = 0;                // binary values are not used on the wire
  std::size_t max_array = 10000;          // elements of one array
  std::size_t max_map = 256;              // pairs of one map
  std::size_t max_depth = 16;             // nesting
};

// Decodes exactly one msgpack value. Fails with code bad_frame, naming what
// was wrong (too large, truncated, trailing bytes, invalid UTF-8 at a path,
// non-string map key, ...).
Result<Doc> decode(std::string_view bytes, const UnpackLimits& limits = {});

// Encodes a document as msgpack (maps, arrays, strings, integers, floats, bools, nil).
std::string encode(const Doc& doc);

// Given the msgpack encoding of a map, returns the encoding of that map with
// the entries of `extra` (a map) added at the end. Lets a payload that is
// mostly known early be encoded early. Keys must not repeat.
std::string extend_map(const std::string& encoded_map, const Doc& extra);

// True if s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);

// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view s);

}  // namespace cq
