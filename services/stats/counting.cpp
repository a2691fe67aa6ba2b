#include "counting.h"

#include "cq/event_fields.h"

#include <algorithm>
#include <toml++/toml.h>

namespace cq::stats {

int week_key(const IsoWeek& w) { return w.year * 100 + w.week; }
IsoWeek week_of_key(int key) { return IsoWeek{key / 100, key % 100}; }
int previous_week(int key) { return week_key(iso_week(week_of_key(key).monday() + -7)); }
int week_of_day(Date d) { return week_key(iso_week(d)); }

namespace {
const std::vector<std::pair<std::string, std::string>> kClasses = {
    {"verifiable", "线索具体"}, {"vague", "反映笼统"}, {"suspected_malicious", "疑似诬告"},
    {"not_ours", "不属本机关管辖"}, {"repeat", "重复件"}};
const std::vector<std::pair<std::string, std::string>> kKinds = {
    {"substantiated", "属实"}, {"partly", "部分属实"}, {"untrue", "不属实"}, {"no_evidence", "查无实据"},
    {"false_accusation", "诬告陷害"}};

}  // namespace

std::vector<Metric> catalogue(const Config& cfg) {
  std::vector<Metric> m = {
      {"received", "intake", "收到信访举报", "reports received"},
      {"received.real_name", "intake", "其中实名", "of which real-name"},
      {"received.anonymous", "intake", "其中匿名", "of which anonymous"}};
  for (const auto& c : cfg.channels) m.push_back({"channel." + c.code, "intake", "渠道：" + c.name, "channel: " + c.code});
  m.push_back({"merged", "intake", "重复件（留存备查）", "repeats merged"});
  for (const auto& [c, zh] : kClasses) m.push_back({"suggested." + c, "triage", "研判建议：" + zh, "suggested: " + c});
  for (const auto& [c, zh] : kClasses) m.push_back({"decided." + c, "triage", "研判决定：" + zh, "decided: " + c});
  m.push_back({"decided.overridden", "triage", "改变研判建议", "suggestions overridden"});
  for (const auto& [k, zh] : kKinds) m.push_back({"concluded." + k, "conclusions", "了结：" + zh, "concluded: " + k});
  m.push_back({"concluded.revised", "conclusions", "申诉复查改变结论", "conclusions revised"});
  m.push_back({"clarify.opened", "clarify", "应予澄清（人次）", "clarifications due (officials)"});
  m.push_back({"clarify.briefings", "clarify", "召开澄清通报会（件次）", "clarification briefings held"});
  m.push_back({"clarify.cleared", "clarify", "澄清正名（人次）", "officials cleared"});
  m.push_back({"clarify.followups", "clarify", "跟踪回访", "follow-up visits done"});
  m.push_back({"clarify.declined", "clarify", "本人不同意澄清", "declined by the official"});
  m.push_back({"accusers.flagged", "registry", "查处诬告陷害（人）", "false accusers flagged"});
  m.push_back({"accusers.actions", "registry", "作出处理", "actions decided"});
  if (cfg.raw)
    if (auto t = (*cfg.raw)["registry"].as_table())
      if (auto arr = (*t)["actions"].as_array())
        for (const auto& a : *arr)
          if (auto at = a.as_table())
            m.push_back({"action." + (*at)["code"].value_or(std::string()), "registry",
                         "处理：" + (*at)["zh"].value_or(std::string()), "action: " + (*at)["code"].value_or(std::string())});
  m.push_back({"notices.published", "registry", "典型案例通报", "typical cases published"});
  m.push_back({"overdue.triage", "overdue", "周末逾期：研判", "overdue at week's end: triage", true});
  m.push_back({"overdue.clarify", "overdue", "周末逾期：澄清", "overdue at week's end: clarification", true});
  m.push_back({"overdue.total", "overdue", "周末逾期合计", "overdue at week's end: total", true});
  return m;
}

Counter::Counter(const Config& cfg)
    : calendar_(cfg.holidays, cfg.workdays), triage_days_(cfg.deadline("triage", 5)) {}

void Counter::count(const std::string& source, const Event& e, Tally& counts, Tally& overdue) const {
  const Doc& d = e.data;
  std::string region = ev::str(d, "region");
  int week = week_of_day(local_date(e.at));
  auto add = [&](int w, const std::string& metric, int64_t n = 1) { counts[{w, region, metric}] += n; };
  // Overdue: +1 from the week of the due day, -1 from the week it was done.
  auto due_from = [&](const std::string& kind, const std::string& due) {
    if (auto day = Date::parse(due)) overdue[{week_of_day(*day), region, kind}] += 1;
  };
  auto done = [&](const std::string& kind, const std::string& due, Date done_day) {
    if (auto day = Date::parse(due))
      overdue[{std::max(week_of_day(*day), week_of_day(done_day)), region, kind}] -= 1;
  };
  const std::string& t = e.type;
  if (source == "intake") {
    if (t != "report.received" && t != "report.merged") return;
    Date received = local_date(ev::integer(d, "received_at"));
    int w = week_of_day(received);
    add(w, "received");
    add(w, ev::flag(d, "real_name") ? "received.real_name" : "received.anonymous");
    add(w, "channel." + ev::str(d, "channel"));
    if (t == "report.merged") add(w, "merged");
    // Triage must decide within the configured working days (as triage counts them).
    due_from("triage", calendar_.add_working_days(received, triage_days_).str());
  } else if (source == "triage") {
    if (t == "report.triaged") {
      if (!ev::flag(d, "rerun")) add(week, "suggested." + ev::str(d, "class"));
    } else if (t == "report.decided") {
      add(week, "decided." + ev::str(d, "class"));
      if (ev::flag(d, "overridden")) add(week, "decided.overridden");
      done("triage", ev::str(d, "triage_due"), local_date(e.at));
    } else if (t == "report.concluded") {
      add(week, "concluded." + ev::str(d, "kind"));
    } else if (t == "report.conclusion_revised") {
      add(week, "concluded.revised");
    }
  } else if (source == "clarify") {
    std::string due = ev::str(d, "due");
    if (t == "clarify.opened") {
      add(week, "clarify.opened");
      due_from("clarify", due);
    } else if (t == "clarify.held") {
      // Counted in the week the briefing took place.
      auto day = Date::parse(ev::str(d, "date"));
      Date held = day ? *day : local_date(e.at);
      int w = week_of_day(held);
      add(w, "clarify.cleared");
      if (ev::str(d, "type") == "meeting") add(w, "clarify.briefings");
      done("clarify", due, held);
    } else if (t == "clarify.followed_up") {
      add(week, "clarify.followups");
    } else if (t == "clarify.closed") {
      if (ev::str(d, "outcome") == "declined") add(week, "clarify.declined");
      if (ev::flag(d, "pending")) done("clarify", due, local_date(e.at));
    }
  } else if (source == "registry") {
    if (t == "accuser.opened") {
      add(week, "accusers.flagged");
    } else if (t == "accuser.action_decided") {
      add(week, "accusers.actions");
      add(week, "action." + ev::str(d, "action"));
    } else if (t == "accuser.notice_published") {
      // A notice may cover findings in several regions: counted once, in the first.
      auto it = d.find("region_codes");
      std::string r = it != d.end() && it->is_array() && !it->empty() && (*it)[0].is_string() ? (*it)[0].get<std::string>() : "";
      counts[{week, r, "notices.published"}] += 1;
    }
  }
}

}  // namespace cq::stats
