// cq accusers: the false-accuser registry (查处诬告陷害).
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace cq::cli {

class AccusersCommand {
 public:
  // Adds `cq accusers …` to the app; g.json is shared with the other commands.
  AccusersCommand(CLI::App& app, Globals& g);
  bool chosen() const { return cmd_->parsed(); }
  void run(Session& s);

 private:
  Globals& g_;
  CLI::App* cmd_;
  CLI::App *list_, *show_, *review_, *act_, *close_, *publish_, *notices_, *approve_, *reject_;
  std::string number_, state_, reason_, action_, purpose_, notice_;
  bool repeat_ = false, identity_ = false;
};

}  // namespace cq::cli
