#include "cq/error.h"

namespace cq {

Error Error::invalid(std::vector<FieldError> f) {
  std::string msg;
  if (f.empty()) {
    msg = "invalid input";
  } else {
    msg = f.front().path + ": " + f.front().reason;
    if (f.size() > 1) msg += " (and " + std::to_string(f.size() - 1) + " more)";
  }
  return Error{code::kInvalid, std::move(msg), std::move(f)};
}

}  // namespace cq
