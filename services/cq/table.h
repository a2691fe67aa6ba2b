// Plain-text tables for a terminal, aware that CJK characters take two columns.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cq/codec.h"

namespace cq::cli {

// Columns a string takes in a terminal (East Asian wide characters count 2).
std::size_t display_width(const std::string& s);
// Cuts s to at most `width` columns, ending in "…" if cut.
std::string truncate_to(const std::string& s, std::size_t width);

// A reply field as a cell: strings as they are, other values as JSON, absent
// or null as empty.
std::string text_of(const Doc& d, const char* key);

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // max_width caps each column (0: no cap).
  void print(std::ostream& out, std::size_t max_width = 40) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace cq::cli
