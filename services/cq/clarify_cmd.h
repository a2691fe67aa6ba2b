// cq clarify: clarification cases (澄清正名), briefings and the calendar export.
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace cq::cli {

class ClarifyCommand {
 public:
  ClarifyCommand(CLI::App& app, Globals& g);
  bool chosen() const { return cmd_->parsed(); }
  void run(Session& s);

 private:
  Globals& g_;
  CLI::App* cmd_;
  CLI::App *consent_, *schedule_, *reschedule_, *cancel_, *held_, *followup_, *list_, *show_, *ics_;
  std::string case_, official_, reason_, type_, scope_, date_, start_, end_, venue_, host_, presenter_, record_;
  std::string state_, week_, region_, out_;
  int attendees_ = -1;
  bool granted_ = false, declined_ = false;
};

}  // namespace cq::cli
