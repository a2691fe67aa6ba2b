// The weekly counts through real processes: a scripted set of reports,
// decisions, conclusions, briefings and actions over several weeks and
// regions; every number the weekly report gives is checked against the
// count this test computes from what it sent.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "cluster.h"
#include "replies.h"
#include "cq/calendar.h"
#include "samples.h"

using cq::Doc;
using cq::test::Cluster;
using cq::test::ok;
using cq::test::refused;
using namespace std::chrono_literals;

namespace {
std::string week_of(const std::string& time) { return cq::iso_week(cq::local_date(*cq::parse_time(time))).str(); }
std::string week_of_day(cq::Date d) { return cq::iso_week(d).str(); }

// What the test expects: (week, region, metric) -> n.
struct Expect {
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> n;
  void add(const std::string& week, const std::string& region, const std::string& metric, int64_t k = 1) {
    n[{week, region, metric}] += k;
  }
  int64_t get(const std::string& week, const std::string& region, const std::string& metric) const {
    int64_t sum = 0;
    for (const auto& [k, v] : n)
      if (std::get<0>(k) == week && (region.empty() || std::get<1>(k) == region) && std::get<2>(k) == metric) sum += v;
    return sum;
  }
  int64_t ytd(const std::string& week, const std::string& region, const std::string& metric) const {
    int64_t sum = 0;
    for (const auto& [k, v] : n)
      if (std::get<0>(k).substr(0, 4) == week.substr(0, 4) && std::get<0>(k) <= week &&
          (region.empty() || std::get<1>(k) == region) && std::get<2>(k) == metric)
        sum += v;
    return sum;
  }
};

struct Item {  // a report as sent
  std::string case_no, region, channel, received_at;
  bool real_name = true, merged = false;
  std::string klass;         // triage's suggestion
  std::string decided_week;  // empty: not decided
};

void settle(Cluster& c, const std::vector<std::string>& sources) {
  auto stats = c.client("stats", "admin");
  for (int i = 0; i < 800; ++i) {
    auto s = stats->call("ping", Doc::object());
    bool all = s && s->ok;
    for (const auto& src : sources) {
      if (!all) break;
      auto p = c.client(src, "admin")->call("ping", Doc::object());
      all = p && p->ok && s->body["cursors"][src] == p->body["last_event"];
    }
    if (all) return;
    std::this_thread::sleep_for(25ms);
  }
  FAIL("stats did not catch up");
}

Doc weekly(cq::Client& c, const std::string& week, const std::string& region) {
  Doc body{{"week", week}};
  if (!region.empty()) body["region"] = region;
  return ok(c.call("stats.weekly", body));
}
}  // namespace

TEST_CASE("stats: every number of the weekly report equals the test's own count; rebuild gives the same") {
  Cluster::Options o;
  o.services = {"intake", "triage", "clarify", "registry", "stats"};
  Cluster c(o);
  for (auto [u, r] : {std::pair{"clerk1", "clerk"}, {"officer1", "officer"}, {"approver1", "approver"},
                      {"clar1", "clarifier"}, {"acc1", "accuser_officer"}, {"sup1", "supervisor"}})
    c.add_user(u, r);
  c.start_all();
  cq::Calendar cal(c.config().holidays, c.config().workdays);
  std::string now_week = week_of_day(cq::local_date(cq::now_ms()));
  auto clerk = c.client("intake", "clerk1");
  auto officer = c.client("triage", "officer1");
  auto approver = c.client("triage", "approver1");
  auto admin_triage = c.client("triage", "admin");
  Expect x;
  std::vector<Item> items;

  const std::vector<std::string> regions = {"nanhu", "dongcheng", "beishan"};
  const std::vector<std::string> channels = {"letter", "visit", "phone", "online"};
  const std::vector<std::string> times = {"2026-10-27T10:00:00+08:00", "2026-11-03T15:00:00+08:00",
                                          "2026-11-10T09:00:00+08:00", "2026-11-17T11:00:00+08:00"};
  auto submit = [&](Doc body, const std::string& region, const std::string& received_at) {
    body["accused"][0]["region"] = region;
    body["received_at"] = received_at;
    Doc r = ok(clerk->call("report.submit", body));
    Item it{r["case_no"], region, body["channel"], received_at, !body["reporter"].value("anonymous", true),
            r.value("status", "") == "merged", "", ""};
    items.push_back(it);
    return it;
  };
  for (int i = 0; i < 12; ++i) {
    Doc b = cq::test::sample_report(700 + i, i % 3 == 0);
    b["channel"] = channels[i % 4];
    submit(b, regions[i % 3], times[i % 4]);
  }
  // A repeat of report 1 (the same text again): registered and merged.
  {
    Doc again = cq::test::sample_report(701, true);
    again["channel"] = channels[1];
    submit(again, regions[1], times[1]);
  }
  CHECK(items.back().merged);
  // Week edges in Beijing time: Sunday 23:30 and Monday 00:30; a UTC time that
  // is already Monday in Beijing; and the ISO week 53 / week 1 edge.
  const std::vector<std::string> edges = {"2026-11-15T23:30:00+08:00", "2026-11-16T00:30:00+08:00",
                                          "2026-11-15T16:30:00Z", "2021-01-03T23:30:00+08:00",
                                          "2021-01-04T00:30:00+08:00"};
  for (std::size_t i = 0; i < edges.size(); ++i) submit(cq::test::sample_report(800 + i), "xicheng", edges[i]);
  CHECK(week_of(edges[0]) == "2026-W46");
  CHECK(week_of(edges[1]) == "2026-W47");
  CHECK(week_of(edges[2]) == "2026-W47");
  CHECK(week_of(edges[3]) == "2020-W53");
  CHECK(week_of(edges[4]) == "2021-W01");

  for (auto& it : items) {
    it.klass = cq::test::eventually_ok(*admin_triage, "triage.show", Doc{{"case_no", it.case_no}})["suggestion"]["class"];
    std::string w = week_of(it.received_at);
    x.add(w, it.region, "received");
    x.add(w, it.region, it.real_name ? "received.real_name" : "received.anonymous");
    x.add(w, it.region, "channel." + it.channel);
    if (it.merged) x.add(w, it.region, "merged");
    x.add(now_week, it.region, "suggested." + it.klass);
  }
  // Decisions (one override), then conclusions.
  for (int i = 0; i < 8; ++i) {
    Item& it = items[i];
    Doc body{{"case_no", it.case_no}, {"disposal", "preliminary_verification"}};
    std::string klass = it.klass;
    if (i == 0 && klass != "vague") {
      body["class"] = "vague";
      body["reason"] = "线索尚需补充";
      klass = "vague";
      x.add(now_week, it.region, "decided.overridden");
    }
    ok(officer->call("triage.decide", body));
    it.decided_week = now_week;
    x.add(now_week, it.region, "decided." + klass);
  }
  auto conclude = [&](int i, const std::string& kind) {
    Doc body{{"case_no", items[i].case_no}, {"kind", kind}, {"summary", "核查结论"}};
    if (kind == "false_accusation") body["fabrication_finding"] = "故意捏造";
    ok(officer->call("conclusion.add", body));
    if (kind == "false_accusation")
      ok(approver->call("conclusion.approve", Doc{{"case_no", items[i].case_no}, {"approve", true}, {"reason", "同意"}}));
    x.add(now_week, items[i].region, "concluded." + kind);
  };
  conclude(0, "untrue");
  conclude(1, "untrue");
  conclude(2, "substantiated");
  conclude(4, "false_accusation");
  conclude(5, "no_evidence");
  REQUIRE(items[4].real_name);
  for (int i : {0, 1, 5}) x.add(now_week, items[i].region, "clarify.opened");

  // Clarification: one meeting held and followed up, one declined, one written clarification held.
  auto clar = c.client("clarify", "clar1");
  settle(c, {"intake", "triage"});
  auto case_of = [&](int i) {
    for (int k = 0; k < 400; ++k) {
      auto r = clar->call("clarify.show", Doc{{"case", items[i].case_no}});
      if (r && r->ok) return r->body["number"].get<std::string>();
      std::this_thread::sleep_for(25ms);
    }
    FAIL("no clarification case");
    return std::string();
  };
  cq::Date day = cq::local_date(cq::now_ms());
  while (!cal.is_working_day(day)) day = day + -1;
  std::string held_week = week_of_day(day);
  std::string a = case_of(0), b = case_of(1), d5 = case_of(5);
  ok(clar->call("clarify.consent", Doc{{"case", a}, {"granted", true}}));
  ok(clar->call("clarify.schedule", Doc{{"case", a}, {"type", "meeting"}, {"scope", "village"}, {"date", day.str()},
                                       {"start", "09:00"}, {"end", "10:00"}, {"venue", "村委会"}, {"host", "纪委"},
                                       {"presenter", "王主任"}, {"attendees", 30}}));
  ok(clar->call("clarify.held", Doc{{"case", a}, {"attendees", 28}, {"record", "已通报"}}));
  ok(clar->call("clarify.followup", Doc{{"case", a}, {"record", "回访良好"}}));
  x.add(held_week, items[0].region, "clarify.cleared");
  x.add(held_week, items[0].region, "clarify.briefings");
  x.add(now_week, items[0].region, "clarify.followups");
  ok(clar->call("clarify.consent", Doc{{"case", b}, {"granted", false}, {"reason", "本人不愿意"}}));
  x.add(now_week, items[1].region, "clarify.declined");
  ok(clar->call("clarify.consent", Doc{{"case", d5}, {"granted", true}}));
  ok(clar->call("clarify.schedule", Doc{{"case", d5}, {"type", "written"}, {"scope", "unit"}, {"date", day.str()},
                                        {"start", "14:00"}, {"end", "14:30"}, {"host", "纪委"}, {"presenter", "李主任"},
                                        {"attendees", 0}}));
  ok(clar->call("clarify.held", Doc{{"case", d5}, {"attendees", 12}, {"record", "书面澄清已送达"}}));
  x.add(held_week, items[5].region, "clarify.cleared");

  // Registry: the false accuser, an action and a published typical case.
  auto acc = c.client("registry", "acc1");
  std::string number;
  for (int k = 0; k < 400 && number.empty(); ++k) {
    Doc l = ok(acc->call("accuser.list", Doc::object()));
    if (!l["items"].empty()) number = l["items"][0]["number"];
    else std::this_thread::sleep_for(25ms);
  }
  REQUIRE(!number.empty());
  x.add(now_week, items[4].region, "accusers.flagged");
  ok(acc->call("accuser.review", Doc{{"number", number}, {"reason", "启动查处"}}));
  ok(acc->call("accuser.act", Doc{{"number", number}, {"reason", "情节较轻"}, {"action", "criticism"}}));
  x.add(now_week, items[4].region, "accusers.actions");
  x.add(now_week, items[4].region, "action.criticism");
  std::string notice = ok(acc->call("accuser.publish", Doc{{"number", number}}))["notice"];
  ok(c.client("registry", "sup1")->call("accuser.notice.decide", Doc{{"notice", notice}, {"approve", true}, {"reason", "同意"}}));
  x.add(now_week, items[4].region, "notices.published");

  settle(c, {"intake", "triage", "clarify", "registry"});
  auto sup = c.client("stats", "sup1");

  // Overdue triage at a week's end: due (5 working days after receipt) by then
  // and not decided by then.
  auto overdue_triage = [&](const std::string& week, const std::string& region) {
    int64_t n = 0;
    for (const auto& it : items) {
      if (!region.empty() && it.region != region) continue;
      std::string due_week = week_of_day(cal.add_working_days(cq::local_date(*cq::parse_time(it.received_at)), 5));
      if (due_week <= week && (it.decided_week.empty() || it.decided_week > week)) ++n;
    }
    return n;
  };
  auto previous = [](const std::string& week) {
    return cq::iso_week(cq::IsoWeek::parse(week)->monday() + -7).str();
  };
  std::set<std::string> weeks = {"2026-W44", "2026-W45", "2026-W46", "2026-W47", now_week, "2020-W53", "2021-W01"};
  std::vector<std::string> region_filters = {"", "nanhu", "dongcheng", "beishan", "xicheng"};
  int checked = 0;
  std::map<std::string, Doc> live;
  for (const auto& w : weeks)
    for (const auto& rg : region_filters) {
      Doc rep = weekly(*sup, w, rg);
      live[w + "/" + rg] = rep;
      CHECK(rep["week"] == w);
      std::string pw = previous(w);
      for (const auto& row : rep["rows"]) {
        std::string m = row["metric"];
        int64_t want, want_prev;
        if (m == "overdue.triage" || m == "overdue.total") {
          want = overdue_triage(w, rg);
          want_prev = overdue_triage(pw, rg);
        } else if (m == "overdue.clarify") {
          want = want_prev = 0;
        } else {
          want = x.get(w, rg, m);
          want_prev = x.get(pw, rg, m);
          CHECK_MESSAGE(row["ytd"] == x.ytd(w, rg, m), w << " " << rg << " " << m << " ytd");
        }
        CHECK_MESSAGE(row["value"] == want, w << " " << rg << " " << m << ": " << row["value"] << " != " << want);
        CHECK_MESSAGE(row["previous"] == want_prev, w << " " << rg << " " << m << " previous");
        CHECK(row["change"] == want - want_prev);
        ++checked;
      }
    }
  CHECK(checked > 500);
  // The counts the script made are really there (the comparison above is not all zeros).
  CHECK(weekly(*sup, "2026-W47", "")["rows"][0]["value"].get<int64_t>() > 0);
  CHECK(x.get("2026-W47", "xicheng", "received") == 2);
  CHECK(x.get("2020-W53", "xicheng", "received") == 1);
  CHECK(x.ytd("2021-W01", "xicheng", "received") == 1);  // the year to date starts again in ISO week 1

  // A trend of several weeks.
  Doc trend = ok(sup->call("stats.weekly", Doc{{"week", "2026-W47"}, {"weeks", 4}}));
  CHECK(trend["weeks"] == Doc::array({"2026-W44", "2026-W45", "2026-W46", "2026-W47"}));
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(trend["series"]["received"][i] == x.get(trend["weeks"][i], "", "received"));

  // Bad input is refused with where and why.
  CHECK(sup->call("stats.weekly", Doc{{"week", "2026-W60"}})->message.find("body.week") != std::string::npos);
  CHECK(sup->call("stats.weekly", Doc{{"region", "atlantis"}})->message.find("body.region") != std::string::npos);
  CHECK(c.client("stats", "clerk1")->call("stats.weekly", Doc::object())->code == "forbidden");
  CHECK(c.client("stats", "officer1")->call("stats.rebuild", Doc::object())->code == "forbidden");

  // Rebuild from the event histories: the same numbers.
  auto rb = c.cq({"--as", "sup1", "stats", "rebuild"});
  REQUIRE_MESSAGE(rb.exit_code == 0, rb.err);
  CHECK(rb.out.find("rebuilt from") != std::string::npos);
  CHECK(rb.err.find("100%") != std::string::npos);
  settle(c, {"intake", "triage", "clarify", "registry"});
  for (const auto& [k, before] : live) {
    auto slash = k.find('/');
    Doc after = weekly(*sup, k.substr(0, slash), k.substr(slash + 1));
    CHECK_MESSAGE(after["rows"] == before["rows"], k);
  }
  // Statistics hold counts only: nothing of any identity in its database.
  std::string db = cq::test::slurp(c.config().data_dir / "stats.db");
  if (std::filesystem::exists(c.config().data_dir / "stats.db-wal")) db += cq::test::slurp(c.config().data_dir / "stats.db-wal");
  for (const auto& it : items) CHECK(db.find(it.case_no) == std::string::npos);
  CHECK(db.find("测试举报人") == std::string::npos);
}
