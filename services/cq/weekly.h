// cq weekly and cq stats: the weekly counts as a terminal table, CSV
// (RFC 4180), JSON, Markdown or a self-contained HTML page with SVG charts;
// and the rebuild with a progress bar.
#pragma once

#include <CLI/CLI.hpp>

#include "cq/codec.h"
#include "session.h"

namespace cq::cli {

// The formatters, on the stats.weekly reply (with `weeks`/`series` for the
// trend forms and the charts).
std::string weekly_table(const Doc& d);
std::string weekly_csv(const Doc& d);
std::string weekly_markdown(const Doc& d);
std::string series_table(const Doc& d);
std::string series_csv(const Doc& d);
std::string series_markdown(const Doc& d);
std::string weekly_html(const Doc& week, const Doc& trend);
// One bar chart of a series, as inline SVG.
std::string svg_bars(const std::string& title, const std::vector<std::string>& labels, const std::vector<int64_t>& values);
// RFC 4180: quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& s);

class WeeklyCommand {
 public:
  WeeklyCommand(CLI::App& app, Globals& g);
  bool chosen() const { return weekly_->parsed() || stats_->parsed(); }
  void run(Session& s);

 private:
  Globals& g_;
  CLI::App *weekly_, *stats_, *rebuild_, *status_;
  std::string week_, region_, format_ = "table", out_;
  int weeks_ = 1;
};

}  // namespace cq::cli
