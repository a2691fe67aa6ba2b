#include "weekly.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "table.h"

namespace cq::cli {

namespace {
std::string signed_str(int64_t n) { return n > 0 ? "+" + std::to_string(n) : std::to_string(n); }
std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}
std::string md_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|') o += "\\|";
    else o += c;
  }
  return o;
}
const char* kSectionNames[][2] = {{"intake", "收件 intake"},
                                  {"triage", "研判 triage"},
                                  {"conclusions", "了结 conclusions"},
                                  {"clarify", "澄清 clarification"},
                                  {"registry", "查处诬告 false accusers"},
                                  {"overdue", "逾期 overdue"}};
std::string section_name(const std::string& s) {
  for (auto& p : kSectionNames)
    if (s == p[0]) return p[1];
  return s;
}
std::string title_of(const Doc& d) {
  return "Chengqing 澄清 weekly counts: " + text_of(d, "week") + " (" + text_of(d, "from") + " – " + text_of(d, "to") + "), " +
         text_of(d, "region_name");
}
}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += "\"\"";
    else o += c;
  }
  return o + "\"";
}

std::string weekly_table(const Doc& d) {
  std::ostringstream out;
  out << title_of(d) << "\n";
  if (d.value("catching_up", false)) out << "(still catching up with the services' events: the numbers may grow)\n";
  Table t({"", "this week", "previous", "change", "year to date"});
  std::string section;
  for (const auto& r : d["rows"]) {
    if (text_of(r, "section") != section) {
      section = text_of(r, "section");
      t.add({"[" + section_name(section) + "]", "", "", "", ""});
    }
    t.add({"  " + text_of(r, "zh") + " / " + text_of(r, "en"), text_of(r, "value"), text_of(r, "previous"),
           signed_str(r["change"].get<int64_t>()), r["ytd"].is_null() ? "–" : text_of(r, "ytd")});
  }
  t.print(out, 70);
  out << "change: against " << text_of(d, "previous_week") << "; overdue rows: work past its deadline at the week's end\n";
  return out.str();
}

std::string weekly_csv(const Doc& d) {
  std::string out = "week,region,section,metric,label_zh,label_en,value,previous,change,year_to_date\r\n";
  for (const auto& r : d["rows"]) {
    out += csv_field(text_of(d, "week")) + "," + csv_field(text_of(d, "region")) + "," + csv_field(text_of(r, "section")) + "," +
           csv_field(text_of(r, "metric")) + "," + csv_field(text_of(r, "zh")) + "," + csv_field(text_of(r, "en")) + "," +
           text_of(r, "value") + "," + text_of(r, "previous") + "," + text_of(r, "change") + "," +
           (r["ytd"].is_null() ? "" : text_of(r, "ytd")) + "\r\n";
  }
  return out;
}

std::string weekly_markdown(const Doc& d) {
  std::ostringstream out;
  out << "## " << md_escape(title_of(d)) << "\n\n| | this week | previous | change | year to date |\n|---|---:|---:|---:|---:|\n";
  std::string section;
  for (const auto& r : d["rows"]) {
    if (text_of(r, "section") != section) {
      section = text_of(r, "section");
      out << "| **" << md_escape(section_name(section)) << "** | | | | |\n";
    }
    out << "| " << md_escape(text_of(r, "zh") + " / " + text_of(r, "en")) << " | " << text_of(r, "value") << " | "
        << text_of(r, "previous") << " | " << signed_str(r["change"].get<int64_t>()) << " | "
        << (r["ytd"].is_null() ? "–" : text_of(r, "ytd")) << " |\n";
  }
  out << "\nChange against " << text_of(d, "previous_week") << ". Overdue rows: work past its deadline at the week's end.\n";
  return out.str();
}

std::string series_table(const Doc& d) {
  std::ostringstream out;
  out << "Chengqing 澄清 weekly series, " << d["weeks"].size() << " weeks to " << text_of(d, "week") << ", "
      << text_of(d, "region_name") << "\n";
  std::vector<std::string> head{""};
  for (const auto& w : d["weeks"]) head.push_back(w.get<std::string>().substr(5));
  Table t(head);
  for (const auto& r : d["rows"]) {
    std::vector<std::string> row{text_of(r, "zh")};
    for (const auto& v : d["series"][text_of(r, "metric")]) row.push_back(v.dump());
    t.add(row);
  }
  t.print(out, 40);
  return out.str();
}

std::string series_csv(const Doc& d) {
  std::string out = "region,metric,label_zh,label_en";
  for (const auto& w : d["weeks"]) out += "," + w.get<std::string>();
  out += "\r\n";
  for (const auto& r : d["rows"]) {
    out += csv_field(text_of(d, "region")) + "," + csv_field(text_of(r, "metric")) + "," + csv_field(text_of(r, "zh")) + "," +
           csv_field(text_of(r, "en"));
    for (const auto& v : d["series"][text_of(r, "metric")]) out += "," + v.dump();
    out += "\r\n";
  }
  return out;
}

std::string series_markdown(const Doc& d) {
  std::ostringstream out;
  out << "## Chengqing 澄清 weekly series to " << text_of(d, "week") << ", " << md_escape(text_of(d, "region_name"))
      << "\n\n| |";
  for (const auto& w : d["weeks"]) out << " " << w.get<std::string>() << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < d["weeks"].size(); ++i) out << "---:|";
  out << "\n";
  for (const auto& r : d["rows"]) {
    out << "| " << md_escape(text_of(r, "zh") + " / " + text_of(r, "en")) << " |";
    for (const auto& v : d["series"][text_of(r, "metric")]) out << " " << v.dump() << " |";
    out << "\n";
  }
  return out.str();
}

std::string svg_bars(const std::string& title, const std::vector<std::string>& labels, const std::vector<int64_t>& values) {
  const int w = 500, h = 220, left = 44, right = 12, top = 30, bottom = 36;
  int64_t max = 0;
  for (auto v : values) max = std::max(max, v);
  // A round top for the axis whose half is a whole number: 2, 4 or 10 times a power of ten.
  int64_t top_value = 2;
  for (int64_t p = 1; top_value < max; p *= 10) {
    for (int64_t m : {2, 4, 10}) {
      top_value = m * p;
      if (top_value >= max) break;
    }
  }
  double plot_w = w - left - right, plot_h = h - top - bottom;
  double slot = values.empty() ? plot_w : plot_w / values.size();
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << w << "\" height=\"" << h
    << "\" viewBox=\"0 0 " << w << " " << h << "\" role=\"img\" aria-label=\"" << html_escape(title) << "\">"
    << "<text x=\"" << left << "\" y=\"18\" class=\"t\">" << html_escape(title) << "</text>";
  for (int i = 0; i <= 2; ++i) {
    double y = top + plot_h - plot_h * i / 2.0;
    o << "<line x1=\"" << left << "\" x2=\"" << w - right << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" class=\"g\"/><text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" class=\"a\" text-anchor=\"end\">"
      << top_value * i / 2 << "</text>";
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    double bh = top_value ? plot_h * values[i] / double(top_value) : 0;
    double x = left + slot * i + slot * 0.15, bw = slot * 0.7, y = top + plot_h - bh;
    o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << bw << "\" height=\"" << bh << "\" class=\"b\">"
      << "<title>" << html_escape(labels[i]) << ": " << values[i] << "</title></rect>"
      << "<text x=\"" << x + bw / 2 << "\" y=\"" << y - 3 << "\" class=\"v\" text-anchor=\"middle\">" << values[i]
      << "</text><text x=\"" << x + bw / 2 << "\" y=\"" << h - bottom + 14 << "\" class=\"a\" text-anchor=\"middle\">"
      << html_escape(labels[i].size() > 5 ? labels[i].substr(5) : labels[i]) << "</text>";
  }
  o << "</svg>";
  return o.str();
}

std::string weekly_html(const Doc& d, const Doc& trend) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" << html_escape(title_of(d))
    << "</title><style>"
       "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;margin:24px;color:#222}"
       "h1{font-size:20px;margin:0 0 4px}p.sub{color:#555;margin:0 0 16px}"
       "table{border-collapse:collapse;font-size:13px;margin-bottom:20px}th,td{padding:3px 10px;border-bottom:1px solid #ddd}"
       "td.n{text-align:right;font-variant-numeric:tabular-nums}tr.s td{font-weight:bold;background:#f3f3f3}"
       ".up{color:#a33}.down{color:#363}.charts{display:flex;flex-wrap:wrap;gap:12px}"
       ".chart .t{font-size:13px;font-weight:bold}.chart .a{font-size:10px;fill:#555}.chart .v{font-size:10px;fill:#222}"
       ".chart .g{stroke:#ddd}.chart .b{fill:#3b6ea8}"
       "@media print{body{margin:0}.charts{page-break-inside:avoid}}"
       "</style></head><body>\n<h1>"
    << html_escape(title_of(d)) << "</h1><p class=\"sub\">time zone " << html_escape(text_of(d, "time_zone"))
    << "; change against " << html_escape(text_of(d, "previous_week"))
    << "; overdue rows count work past its deadline at the week's end.</p>\n";
  o << "<table><thead><tr><th></th><th>this week 本周</th><th>previous 上周</th><th>change 变化</th><th>year to date "
       "本年累计</th></tr></thead><tbody>\n";
  std::string section;
  for (const auto& r : d["rows"]) {
    if (text_of(r, "section") != section) {
      section = text_of(r, "section");
      o << "<tr class=\"s\"><td colspan=\"5\">" << html_escape(section_name(section)) << "</td></tr>\n";
    }
    int64_t ch = r["change"].get<int64_t>();
    o << "<tr><td>" << html_escape(text_of(r, "zh")) << " <small>" << html_escape(text_of(r, "en")) << "</small></td><td class=\"n\">"
      << text_of(r, "value") << "</td><td class=\"n\">" << text_of(r, "previous") << "</td><td class=\"n "
      << (ch > 0 ? "up" : ch < 0 ? "down" : "") << "\">" << signed_str(ch) << "</td><td class=\"n\">"
      << (r["ytd"].is_null() ? "–" : text_of(r, "ytd")) << "</td></tr>\n";
  }
  o << "</tbody></table>\n<div class=\"charts\">\n";
  std::vector<std::string> labels;
  for (const auto& w : trend["weeks"]) labels.push_back(w.get<std::string>());
  for (const char* m : {"received", "clarify.cleared", "concluded.false_accusation", "overdue.total"}) {
    std::string title;
    for (const auto& r : trend["rows"])
      if (r["metric"] == m) title = text_of(r, "zh") + " / " + text_of(r, "en");
    std::vector<int64_t> values;
    for (const auto& v : trend["series"][m]) values.push_back(v.get<int64_t>());
    o << svg_bars(title + " (" + std::to_string(labels.size()) + " weeks)", labels, values) << "\n";
  }
  o << "</div>\n</body></html>\n";
  return o.str();
}

WeeklyCommand::WeeklyCommand(CLI::App& app, Globals& g) : g_(g) {
  weekly_ = app.add_subcommand("weekly", "the weekly counts (default: the last complete week, all regions)");
  weekly_->add_option("--week", week_, "ISO week, e.g. 2026-W47");
  weekly_->add_option("--region", region_, "one region's counts (a region code)");
  weekly_->add_option("--weeks", weeks_, "the series of N weeks ending with --week (1-104)");
  weekly_->add_option("--format", format_, "table | csv | json | md | html")
      ->check(CLI::IsMember({"table", "csv", "json", "md", "html"}));
  weekly_->add_option("-o,--out", out_, "write to this file instead of standard output");
  weekly_->add_flag("--json", g_.json, "the same as --format json");
  stats_ = app.add_subcommand("stats", "the statistics service");
  stats_->require_subcommand(1);
  rebuild_ = stats_->add_subcommand("rebuild", "recount every aggregate from the services' event histories (supervisors)");
  status_ = stats_->add_subcommand("status", "how far the counts have caught up with each service");
  for (auto* c : {rebuild_, status_}) c->add_flag("--json", g_.json, "JSON output");
}

void WeeklyCommand::run(Session& s) {
  if (weekly_->parsed()) {
    if (g_.json) format_ = "json";
    Doc body = Doc::object();
    if (!week_.empty()) body["week"] = week_;
    if (!region_.empty()) body["region"] = region_;
    if (weeks_ < 1 || weeks_ > 104) throw UsageError("--weeks must be 1 to 104");
    body["weeks"] = weeks_;
    auto r = s.call("stats", "stats.weekly", body);
    if (!r) return;
    std::string text;
    if (format_ == "json") {
      text = r->dump(2) + "\n";
    } else if (format_ == "html") {
      Doc tb = body;
      tb["weeks"] = 12;
      auto trend = s.call("stats", "stats.weekly", tb);
      if (!trend) return;
      text = weekly_html(*r, *trend);
    } else if (weeks_ > 1) {
      text = format_ == "csv" ? series_csv(*r) : format_ == "md" ? series_markdown(*r) : series_table(*r);
    } else {
      text = format_ == "csv" ? weekly_csv(*r) : format_ == "md" ? weekly_markdown(*r) : weekly_table(*r);
    }
    write_output(out_, text, "the weekly counts");
  } else if (status_->parsed()) {
    auto r = s.call("stats", "stats.status", Doc::object());
    if (!r) return;
    if (g_.json) {
      std::cout << r->dump(2) << "\n";
      return;
    }
    Table t({"source", "events applied", "events there"});
    for (const auto& [src, p] : (*r)["sources"].items()) t.add({src, p["applied"].dump(), p["head"].dump()});
    t.print(std::cout);
    std::cout << ((*r)["caught_up"].get<bool>() ? "caught up" : "catching up") << "\n";
  } else if (rebuild_->parsed()) {
    auto started = s.call("stats", "stats.rebuild", Doc::object());
    if (!started) return;
    auto t0 = std::chrono::steady_clock::now();
    bool tty = isatty(2);
    int64_t applied = 0, head = 0;
    auto last_print = t0 - std::chrono::seconds(10);
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto st = s.call("stats", "stats.status", Doc::object());
      if (!st) return;
      applied = (*st)["applied"].get<int64_t>();
      head = (*st)["head"].get<int64_t>();
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bool done = (*st)["caught_up"].get<bool>() && head > 0;
      auto now = std::chrono::steady_clock::now();
      if (tty || done || now - last_print > std::chrono::seconds(2)) {
        last_print = now;
        int pct = head ? static_cast<int>(100.0 * applied / head) : 0;
        std::string bar(pct / 4, '#');
        bar.resize(25, '.');
        std::fprintf(stderr, "%s[%s] %3d%%  %lld / %lld events  %.0f/s%s", tty ? "\r" : "", bar.c_str(), pct,
                     static_cast<long long>(applied), static_cast<long long>(head), secs > 0 ? applied / secs : 0.0,
                     tty ? "" : "\n");
      }
      if (done || (head == 0 && secs > 2)) break;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tty) std::fprintf(stderr, "\n");
    if (g_.json)
      std::cout << Doc{{"events", applied}, {"seconds", secs}, {"events_per_second", secs > 0 ? applied / secs : 0}}.dump(2)
                << "\n";
    else
      std::printf("rebuilt from %lld events in %.1f s (%.0f events/s)\n", static_cast<long long>(applied), secs,
                  secs > 0 ? applied / secs : 0.0);
  }
}

}  // namespace cq::cli
