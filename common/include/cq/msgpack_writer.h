// Writing msgpack directly, for hot paths where building a document first
// would cost more than the message itself (envelopes, events, explanations).
#pragma once

#include <msgpack.hpp>

#include <string>
#include <string_view>

namespace cq {

class MsgWriter {
 public:
  MsgWriter() : pk_(buf_) {}
  MsgWriter(const MsgWriter&) = delete;  // the packer refers to the buffer
  MsgWriter& operator=(const MsgWriter&) = delete;
  MsgWriter& map(std::size_t n) { pk_.pack_map(static_cast<uint32_t>(n)); return *this; }
  MsgWriter& array(std::size_t n) { pk_.pack_array(static_cast<uint32_t>(n)); return *this; }
  MsgWriter& str(std::string_view s) {
    pk_.pack_str(static_cast<uint32_t>(s.size()));
    pk_.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
    return *this;
  }
  template <typename T>
  MsgWriter& value(const T& v) { pk_.pack(v); return *this; }
  // Appends bytes that already are one msgpack value.
  MsgWriter& raw(std::string_view encoded) { buf_.write(encoded.data(), encoded.size()); return *this; }
  std::string bytes() const { return std::string(buf_.data(), buf_.size()); }

 private:
  msgpack::sbuffer buf_;
  msgpack::packer<msgpack::sbuffer> pk_;
};

}  // namespace cq
