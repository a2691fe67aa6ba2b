#include "table.h"

#include <algorithm>

namespace cq::cli {

namespace {
bool wide(unsigned cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}
// Decodes one code point at s[i], advancing i.
unsigned next_cp(const std::string& s, std::size_t& i) {
  unsigned char c = s[i];
  std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
  i += len;
  return cp;
}
}  // namespace

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) w += wide(next_cp(s, i)) ? 2 : 1;
  return w;
}

std::string truncate_to(const std::string& s, std::size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t start = i;
    unsigned cp = next_cp(s, i);
    std::size_t cw = wide(cp) ? 2 : 1;
    if (w + cw + 1 > width) break;
    out += s.substr(start, i - start);
    w += cw;
  }
  return out + "…";
}

void Table::print(std::ostream& out, std::size_t max_width) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  auto cell = [&](const std::string& s) {
    std::string flat = s;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    return max_width ? truncate_to(flat, max_width) : flat;
  };
  for (std::size_t c = 0; c < headers_.size(); ++c) widths[c] = display_width(headers_[c]);
  for (const auto& r : rows_)
    for (std::size_t c = 0; c < r.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], display_width(cell(r[c])));
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < widths.size(); ++c) {
      std::string v = c < r.size() ? cell(r[c]) : "";
      out << v;
      if (c + 1 < widths.size()) out << std::string(widths[c] - display_width(v) + 2, ' ');
    }
    out << "\n";
  };
  line(headers_);
  std::vector<std::string> rule;
  for (auto w : widths) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& r : rows_) line(r);
}

std::string text_of(const Doc& d, const char* key) {
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace cq::cli
