// Reads fields of a request body with checks, recording each problem with
// its full path ("body.accused[1].region: unknown region 'x'") so that one
// reply names everything that was wrong.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cq/calendar.h"
#include "cq/codec.h"
#include "cq/config.h"
#include "cq/error.h"

namespace cq {

class Fields {
 public:
  // `doc` should be a map; if it is not, one problem is recorded at `path`.
  Fields(const Doc& doc, std::string path, Problems& p);

  bool ok() const { return is_map_; }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  bool has(const std::string& key) const;

  // Text: must be a string of min..max characters (code points), without
  // control characters other than newline and tab.
  std::optional<std::string> text(const std::string& key, bool required, std::size_t max_chars,
                                  std::size_t min_chars = 1);
  std::optional<bool> boolean(const std::string& key, bool required);
  std::optional<double> number(const std::string& key, bool required, double lo, double hi);
  std::optional<int64_t> integer(const std::string& key, bool required, int64_t lo, int64_t hi);
  // One of the configured codes.
  std::optional<std::string> label(const std::string& key, bool required,
                                   const std::vector<Label>& allowed, const char* what);
  // An instant: "YYYY-MM-DDTHH:MM[:SS][Z|+08:00]" or a date.
  std::optional<Millis> time(const std::string& key, bool required);
  const Doc* map(const std::string& key, bool required);
  const Doc* array(const std::string& key, bool required, std::size_t max_items,
                   std::size_t min_items = 0);
  Problems& problems() { return p_; }

 private:
  const Doc* get(const std::string& key, bool required);
  const Doc& doc_;
  std::string path_;
  Problems& p_;
  bool is_map_;
};

// Checks free text: returns a reason if it is not acceptable.
std::optional<std::string> check_text(const std::string& s, std::size_t max_chars, std::size_t min_chars);

}  // namespace cq
