#include "clarify_cmd.h"

#include <fstream>
#include <iostream>

#include "table.h"

namespace cq::cli {

namespace {
void print_case(const Doc& d, bool full) {
  std::cout << text_of(d, "number") << "  " << text_of(d, "official") << " (" << text_of(d, "unit") << " " << text_of(d, "post")
            << ")\nreport        " << text_of(d, "case_no") << ", concluded " << text_of(d, "conclusion") << "\nregion        "
            << text_of(d, "region_name") << "\nstate         " << text_of(d, "state")
            << (d.value("overdue", false) ? "  OVERDUE" : "") << (d.contains("outcome") ? " (" + text_of(d, "outcome") + ")" : "")
            << "\ndue           " << text_of(d, "due") << "\n";
  if (d.contains("follow_up_due")) std::cout << "follow-up due " << text_of(d, "follow_up_due") << "\n";
  if (!full) return;
  if (!d["briefings"].empty()) {
    std::cout << "\nbriefings\n";
    Table t({"date", "time", "type", "scope", "venue", "presenter", "state", "attendees"});
    for (const auto& b : d["briefings"])
      t.add({text_of(b, "date"), text_of(b, "start") + "–" + text_of(b, "end"), text_of(b, "type_name"), text_of(b, "scope_name"),
             text_of(b, "venue"), text_of(b, "presenter"), text_of(b, "state"),
             b.contains("attendees") ? text_of(b, "attendees") : text_of(b, "attendees_expected") + " expected"});
    t.print(std::cout);
  }
  std::cout << "\nhistory\n";
  Table h({"at", "by", "what", "detail", "reason"});
  for (const auto& x : d["history"])
    h.add({text_of(x, "at").substr(0, 16), text_of(x, "by"), text_of(x, "what"), text_of(x, "detail"), text_of(x, "reason")});
  h.print(std::cout, 60);
}
}  // namespace

ClarifyCommand::ClarifyCommand(CLI::App& app, Globals& g) : g_(g) {
  cmd_ = app.add_subcommand("clarify", "clarification for officials wrongly accused (澄清正名): consent, briefings, follow-up");
  cmd_->require_subcommand(1);
  consent_ = cmd_->add_subcommand("consent", "record whether the official consents to a clarification");
  consent_->add_flag("--granted", granted_, "the official agrees");
  consent_->add_flag("--declined", declined_, "the official declines (needs --reason; closes the case)");
  schedule_ = cmd_->add_subcommand("schedule", "schedule the briefing (clarification staff)");
  schedule_->add_option("--type", type_, "meeting 会议澄清 | written 书面澄清 | individual 个别澄清 | public_notice 通报澄清")->required();
  schedule_->add_option("--scope", scope_, "unit | village | district | public")->required();
  schedule_->add_option("--date", date_, "YYYY-MM-DD, a working day")->required();
  schedule_->add_option("--start", start_, "HH:MM, within working hours")->required();
  schedule_->add_option("--end", end_, "HH:MM")->required();
  schedule_->add_option("--venue", venue_, "where (not needed for written or public-notice clarification)");
  schedule_->add_option("--host", host_, "the host body (主办单位)")->required();
  schedule_->add_option("--presenter", presenter_, "who presents (通报人)")->required();
  schedule_->add_option("--attendees", attendees_, "expected attendees")->required();
  reschedule_ = cmd_->add_subcommand("reschedule", "move the briefing (keeps its history and calendar entry)");
  reschedule_->add_option("--date", date_, "new date");
  reschedule_->add_option("--start", start_, "new start");
  reschedule_->add_option("--end", end_, "new end");
  reschedule_->add_option("--venue", venue_, "new venue");
  reschedule_->add_option("--presenter", presenter_, "new presenter");
  cancel_ = cmd_->add_subcommand("cancel", "cancel the briefing (the case is to be scheduled again)");
  held_ = cmd_->add_subcommand("held", "mark the briefing held; opens the follow-up visit");
  held_->add_option("--attendees", attendees_, "how many attended")->required();
  held_->add_option("--record", record_, "a short record of the briefing")->required();
  followup_ = cmd_->add_subcommand("followup", "record the follow-up visit (跟踪回访) and close the case");
  followup_->add_option("--record", record_, "what the visit found")->required();
  for (auto* c : {consent_, schedule_, reschedule_, cancel_, held_, followup_}) {
    c->add_option("case", case_, "clarification case (CL…), or the report's case number with --official")->required();
    c->add_option("--official", official_, "the official, when a report accused several");
  }
  for (auto* c : {consent_, schedule_}) c->add_option("--reason", reason_, "why (declining; a date past the deadline)");
  for (auto* c : {reschedule_, cancel_}) c->add_option("--reason", reason_, "why (required)")->required();
  list_ = cmd_->add_subcommand("list", "the worklist: overdue first, then by deadline");
  list_->add_option("--state", state_, "awaiting_consent | to_schedule | scheduled | held | follow_up_due | closed");
  list_->add_option("--week", week_, "ISO week, e.g. 2026-W48 (briefing date, or deadline)");
  list_->add_option("--region", region_, "region code");
  show_ = cmd_->add_subcommand("show", "one case with its briefings and full history");
  show_->add_option("case", case_, "clarification case (CL…), or the report's case number with --official")->required();
  show_->add_option("--official", official_, "the official, when a report accused several");
  ics_ = cmd_->add_subcommand("ics", "write the briefings as an iCalendar file (RFC 5545)");
  ics_->add_option("--week", week_, "only this ISO week");
  ics_->add_option("--region", region_, "only this region");
  ics_->add_option("-o,--out", out_, "file to write (default: standard output)");
  for (auto* c : {consent_, schedule_, reschedule_, cancel_, held_, followup_, list_, show_, ics_})
    c->add_flag("--json", g_.json, "JSON output");
}

void ClarifyCommand::run(Session& s) {
  Doc body{{"case", case_}};
  if (!official_.empty()) body["official"] = official_;
  if (!reason_.empty()) body["reason"] = reason_;
  std::optional<Doc> r;
  if (consent_->parsed()) {
    if (granted_ == declined_) throw UsageError("say which: --granted or --declined");
    body["granted"] = granted_;
    r = s.call("clarify", "clarify.consent", body);
  } else if (schedule_->parsed()) {
    body.update(Doc{{"type", type_}, {"scope", scope_}, {"date", date_}, {"start", start_}, {"end", end_},
                    {"host", host_}, {"presenter", presenter_}, {"attendees", attendees_}});
    if (!venue_.empty()) body["venue"] = venue_;
    r = s.call("clarify", "clarify.schedule", body);
  } else if (reschedule_->parsed()) {
    for (auto [k, v] : {std::pair{"date", &date_}, {"start", &start_}, {"end", &end_}, {"venue", &venue_}, {"presenter", &presenter_}})
      if (!v->empty()) body[k] = *v;
    r = s.call("clarify", "clarify.reschedule", body);
  } else if (cancel_->parsed()) {
    r = s.call("clarify", "clarify.cancel", body);
  } else if (held_->parsed()) {
    body["attendees"] = attendees_;
    body["record"] = record_;
    r = s.call("clarify", "clarify.held", body);
  } else if (followup_->parsed()) {
    body["record"] = record_;
    r = s.call("clarify", "clarify.followup", body);
  } else if (show_->parsed()) {
    r = s.call("clarify", "clarify.show", body);
  } else if (list_->parsed()) {
    Doc q = Doc::object();
    if (!state_.empty()) q["state"] = state_;
    if (!week_.empty()) q["week"] = week_;
    if (!region_.empty()) q["region"] = region_;
    auto l = s.call("clarify", "clarify.list", q);
    if (!l) return;
    if (g_.json) {
      std::cout << l->dump(2) << "\n";
      return;
    }
    Table t({"case", "official", "report", "region", "state", "due", "briefing", ""});
    for (const auto& d : (*l)["items"])
      t.add({text_of(d, "number"), text_of(d, "official"), text_of(d, "case_no"), text_of(d, "region_name"), text_of(d, "state"),
             text_of(d, "due"), text_of(d, "briefing_date"), d.value("overdue", false) ? "OVERDUE" : ""});
    t.print(std::cout);
    std::cout << (*l)["items"].size() << " case(s)\n";
    return;
  } else if (ics_->parsed()) {
    Doc q = Doc::object();
    if (!week_.empty()) q["week"] = week_;
    if (!region_.empty()) q["region"] = region_;
    auto c = s.call("clarify", "clarify.ics", q);
    if (!c) return;
    write_output(out_, (*c)["calendar"], std::to_string((*c)["briefings"].get<int64_t>()) + " briefing(s)");
    return;
  }
  if (!r) return;
  if (g_.json) std::cout << r->dump(2) << "\n";
  else print_case(*r, show_->parsed() || r->contains("briefings"));
}

}  // namespace cq::cli
