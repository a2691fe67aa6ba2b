// Clarification through real processes: intake registers, triage records an
// untrue conclusion, clarify opens a case per accused official and staff take
// it from consent to briefing to follow-up.
#include <doctest/doctest.h>

#include <atomic>
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

// A report against two officials of the same town.
Doc two_officials(int n) {
  Doc r = cq::test::sample_report(n);
  r["accused"].push_back(Doc{{"name", "测试干部乙" + std::to_string(n)}, {"unit", "南湖县某镇人民政府"},
                             {"post", "镇长"}, {"level", "section"}, {"region", "nanhu"}});
  return r;
}

struct Flow {
  Cluster& c;
  std::unique_ptr<cq::Client> clerk, officer, staff, admin_triage, admin_clarify;
  cq::Calendar cal;
  explicit Flow(Cluster& cl) : c(cl), cal(cl.config().holidays, cl.config().workdays) {
    clerk = c.client("intake", "clerk1");
    officer = c.client("triage", "officer1");
    staff = c.client("clarify", "clar1");
    admin_triage = c.client("triage", "admin");
    admin_clarify = c.client("clarify", "admin");
  }
  // Registered, triaged, decided and concluded as `kind`; returns the case number.
  std::string concluded(const Doc& report, const std::string& kind) {
    std::string cn = ok(clerk->call("report.submit", report))["case_no"];
    cq::test::eventually_ok(*admin_triage, "triage.show", Doc{{"case_no", cn}});
    ok(officer->call("triage.decide", Doc{{"case_no", cn}, {"disposal", "preliminary_verification"}}));
    ok(officer->call("conclusion.add", Doc{{"case_no", cn}, {"kind", kind}, {"summary", "经核查，反映问题不属实"}}));
    return cn;
  }
  void settle() {
    for (int i = 0; i < 600; ++i) {
      auto t = admin_triage->call("ping", Doc::object());
      auto k = admin_clarify->call("ping", Doc::object());
      if (t && t->ok && k && k->ok && k->body["cursors"]["triage"] == t->body["last_event"]) return;
      std::this_thread::sleep_for(25ms);
    }
    FAIL("clarify did not catch up with triage");
  }
  Doc cases_of(const std::string& report) {
    Doc out = Doc::array();
    for (const char* st : {"awaiting_consent", "to_schedule", "scheduled", "held", "follow_up_due", "closed"}) {
      Doc items = ok(admin_clarify->call("clarify.list", Doc{{"state", st}}))["items"];
      for (auto& d : items)
        if (d["case_no"] == report) out.push_back(d);
    }
    return out;
  }
  // The most recent working day up to today (a briefing may be marked held from its day on).
  std::string recent_working_day() {
    cq::Date d = cq::local_date(cq::now_ms());
    while (!cal.is_working_day(d)) d = d + -1;
    return d.str();
  }
  Doc slot(const std::string& cl, const std::string& day, const std::string& start, const std::string& end,
           const std::string& venue, const std::string& presenter) {
    return Doc{{"case", cl},        {"type", "meeting"},     {"scope", "village"},   {"date", day},
               {"start", start},    {"end", end},            {"venue", venue},       {"host", "南湖县纪委监委"},
               {"presenter", presenter}, {"attendees", 40}};
  }
};

Cluster::Options three() {
  Cluster::Options o;
  o.services = {"intake", "triage", "clarify"};
  return o;
}
void add_staff(Cluster& c) {
  c.add_user("clerk1", "clerk");
  c.add_user("officer1", "officer");
  c.add_user("clar1", "clarifier");
}
}  // namespace

TEST_CASE("clarify: untrue conclusion to consent, briefing, held, follow-up and closed; the declined and cancelled paths") {
  Cluster c(three());
  add_staff(c);
  c.start_all();
  Flow f(c);
  std::string report = f.concluded(two_officials(11), "untrue");
  // Substantiated and false-accusation conclusions open nothing (only untrue / no evidence clear a name).
  std::string real = f.concluded(cq::test::sample_report(12), "substantiated");
  f.settle();
  Doc cases = f.cases_of(report);
  REQUIRE(cases.size() == 2);
  CHECK(f.cases_of(real).empty());
  for (const auto& d : cases) {
    CHECK(d["state"] == "awaiting_consent");
    CHECK(d["due"].get<std::string>() > f.recent_working_day());
  }
  std::string a = cases[0]["number"], b = cases[1]["number"];
  std::string official_b = cases[1]["official"];

  // Scheduling needs consent first.
  std::string day = f.recent_working_day();
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, day, "09:00", "10:30", "某镇政府三楼会议室", "王主任"))) ==
        "conflict: the official's consent is not recorded yet (cq clarify consent)");
  // Official B declines, named by report and official; a reason is required.
  CHECK(refused(f.staff->call("clarify.consent", Doc{{"case", report}, {"official", official_b}, {"granted", false}}))
            .find("body.reason") != std::string::npos);
  CHECK(refused(f.staff->call("clarify.consent", Doc{{"case", report}, {"granted", true}})).find("name the official") !=
        std::string::npos);
  Doc declined = ok(f.staff->call("clarify.consent", Doc{{"case", report}, {"official", official_b}, {"granted", false},
                                                          {"reason", "本人表示不需要开会澄清"}}));
  CHECK(declined["state"] == "closed");
  CHECK(declined["outcome"] == "declined");

  // Official A consents; a briefing is scheduled, then cancelled, then scheduled again.
  CHECK(ok(f.staff->call("clarify.consent", Doc{{"case", a}, {"granted", true}}))["state"] == "to_schedule");
  Doc s1 = ok(f.staff->call("clarify.schedule", f.slot(a, day, "09:00", "10:30", "某镇政府三楼会议室", "王主任")));
  CHECK(s1["state"] == "scheduled");
  CHECK(refused(f.staff->call("clarify.cancel", Doc{{"case", a}})).find("body.reason") != std::string::npos);
  Doc cancelled = ok(f.staff->call("clarify.cancel", Doc{{"case", a}, {"reason", "会议室临时被占用"}}));
  CHECK(cancelled["state"] == "to_schedule");
  REQUIRE(cancelled["briefings"].size() == 1);
  CHECK(cancelled["briefings"][0]["state"] == "cancelled");
  Doc s2 = ok(f.staff->call("clarify.schedule", f.slot(a, day, "14:00", "15:30", "某村村委会", "王主任")));
  CHECK(s2["briefings"].size() == 2);
  Doc moved = ok(f.staff->call("clarify.reschedule", Doc{{"case", a}, {"start", "15:00"}, {"end", "16:00"}, {"reason", "村民农忙"}}));
  CHECK(moved["briefings"][1]["start"] == "15:00");
  CHECK(moved["briefings"][1]["sequence"] == 1);

  // Held: opens the follow-up; the follow-up closes the case.
  CHECK(refused(f.staff->call("clarify.followup", Doc{{"case", a}, {"record", "回访"}})).find("after the briefing is held") !=
        std::string::npos);
  Doc held = ok(f.staff->call("clarify.held", Doc{{"case", a}, {"attendees", 52}, {"record", "通报核查结论，群众无异议"}}));
  CHECK((held["state"] == "held" || held["state"] == "follow_up_due"));
  CHECK(held["follow_up_due"].get<std::string>() > day);
  CHECK(held["briefings"][1]["attendees"] == 52);
  Doc closed = ok(f.staff->call("clarify.followup", Doc{{"case", a}, {"record", "回访本人，工作状态良好"}}));
  CHECK(closed["state"] == "closed");
  CHECK(closed["outcome"] == "clarified");
  std::vector<std::string> steps;
  for (const auto& h : closed["history"]) steps.push_back(h["what"]);
  CHECK(steps == std::vector<std::string>{"opened", "consent granted", "scheduled", "briefing cancelled", "scheduled",
                                          "rescheduled", "held", "followed up"});

  // Every step is an event; none names the official.
  Doc evs = ok(f.admin_clarify->call("events.fetch", Doc{{"after", 0}}))["events"];
  std::set<std::string> types;
  for (const auto& e : evs) {
    types.insert(e["type"]);
    CHECK(e.dump().find(official_b) == std::string::npos);
  }
  CHECK(types == std::set<std::string>{"clarify.opened", "clarify.scheduled", "clarify.cancelled", "clarify.rescheduled",
                                       "clarify.held", "clarify.followed_up", "clarify.closed"});
}

TEST_CASE("clarify: every scheduling refusal says exactly why") {
  Cluster c(three());
  add_staff(c);
  c.start_all();
  Flow f(c);
  std::string report = f.concluded(two_officials(21), "no_evidence");
  f.settle();
  Doc cases = f.cases_of(report);
  REQUIRE(cases.size() == 2);
  std::string a = cases[0]["number"], b = cases[1]["number"];
  std::string due = cases[0]["due"];
  for (const auto& cl : {a, b}) ok(f.staff->call("clarify.consent", Doc{{"case", cl}, {"granted", true}}));
  std::string day = f.recent_working_day();

  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, "2026-11-28", "09:00", "10:00", "会议室", "王主任"))) ==
        "invalid: body.date: date 2026-11-28 is a Saturday: not a working day");
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, "2026-10-02", "09:00", "10:00", "会议室", "王主任"))) ==
        "invalid: body.date: date 2026-10-02 is a public holiday: not a working day");
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, day, "07:30", "09:00", "会议室", "王主任"))) ==
        "invalid: body.start: outside working hours 08:30–17:30 (asked 07:30–09:00)");
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, day, "16:30", "18:00", "会议室", "王主任"))) ==
        "invalid: body.start: outside working hours 08:30–17:30 (asked 16:30–18:00)");
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, day, "10:00", "09:00", "会议室", "王主任"))) ==
        "invalid: body.end: must be after the start (10:00–09:00)");
  // A date past the deadline: only with a reason.
  std::string late = f.cal.add_working_days(*cq::Date::parse(due), 3).str();
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(a, late, "09:00", "10:00", "会议室", "王主任"))) ==
        "conflict: date " + late + " is past the case's deadline " + due + ": give a reason (--reason) to schedule it late");
  Doc with_reason = f.slot(b, late, "09:00", "10:00", "会议室", "王主任");
  with_reason["reason"] = "当事人住院，出院后再开";
  CHECK(ok(f.staff->call("clarify.schedule", with_reason))["overdue"] == true);  // late is shown, not hidden
  Doc worklist = ok(f.staff->call("clarify.list", Doc::object()))["items"];
  REQUIRE(worklist.size() == 2);
  CHECK(worklist[0]["number"] == b);  // overdue first, though opened second
  CHECK(worklist[1]["overdue"] == false);
  ok(f.staff->call("clarify.cancel", Doc{{"case", b}, {"reason", "改期"}}));

  // Bookings: venue and presenter may not overlap; back to back is fine.
  ok(f.staff->call("clarify.schedule", f.slot(a, day, "09:00", "10:30", "某镇政府三楼会议室", "王主任")));
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(b, day, "10:00", "11:00", "某镇政府 三楼会议室", "李主任"))) ==
        "conflict: venue 某镇政府 三楼会议室 is already booked 09:00–10:30 on " + day + " (" + a + ")");
  CHECK(refused(f.staff->call("clarify.schedule", f.slot(b, day, "08:30", "09:30", "某村村委会", "王主任"))) ==
        "conflict: presenter 王主任 is already booked 09:00–10:30 on " + day + " (" + a + ")");
  CHECK(ok(f.staff->call("clarify.schedule", f.slot(b, day, "10:30", "11:30", "某镇政府三楼会议室", "李主任")))["state"] ==
        "scheduled");
  // Rescheduling onto a booked slot is refused the same way.
  CHECK(refused(f.staff->call("clarify.reschedule", Doc{{"case", b}, {"start", "10:00"}, {"end", "11:00"}, {"reason", "提前"}})) ==
        "conflict: venue 某镇政府三楼会议室 is already booked 09:00–10:30 on " + day + " (" + a + ")");
  // A written clarification needs no venue.
  std::string other = f.concluded(cq::test::sample_report(22), "untrue");
  f.settle();
  std::string w = f.cases_of(other)[0]["number"];
  ok(f.staff->call("clarify.consent", Doc{{"case", w}, {"granted", true}}));
  Doc written = f.slot(w, day, "14:00", "14:30", "", "赵主任");
  written.erase("venue");
  written["type"] = "written";
  CHECK(ok(f.staff->call("clarify.schedule", written))["state"] == "scheduled");
  Doc meeting = written;
  meeting["type"] = "meeting";
  meeting["case"] = a;
  CHECK(refused(f.staff->call("clarify.schedule", meeting)).find("body.venue") != std::string::npos);
}

TEST_CASE("clarify: only clarification staff schedule or mark held; worklists by state, week and region, overdue first") {
  Cluster c(three());
  add_staff(c);
  c.add_user("sup1", "supervisor");
  c.start_all();
  Flow f(c);
  std::string report = f.concluded(cq::test::sample_report(31), "untrue");
  f.settle();
  std::string a = f.cases_of(report)[0]["number"];
  auto officer = c.client("clarify", "officer1");
  auto sup = c.client("clarify", "sup1");
  std::string day = f.recent_working_day();
  CHECK(refused(officer->call("clarify.consent", Doc{{"case", a}, {"granted", true}})).rfind("forbidden", 0) == 0);
  ok(f.staff->call("clarify.consent", Doc{{"case", a}, {"granted", true}}));
  CHECK(refused(officer->call("clarify.schedule", f.slot(a, day, "09:00", "10:00", "会议室", "王主任"))).rfind("forbidden", 0) == 0);
  CHECK(refused(f.admin_clarify->call("clarify.schedule", f.slot(a, day, "09:00", "10:00", "会议室", "王主任"))).rfind("forbidden", 0) ==
        0);
  ok(f.staff->call("clarify.schedule", f.slot(a, day, "09:00", "10:00", "会议室", "王主任")));
  CHECK(refused(sup->call("clarify.held", Doc{{"case", a}, {"attendees", 3}, {"record", "已开"}})).rfind("forbidden", 0) == 0);
  // Readers see the worklist.
  Doc l = ok(sup->call("clarify.list", Doc{{"state", "scheduled"}}));
  REQUIRE(l["items"].size() == 1);
  CHECK(l["items"][0]["briefing_date"] == day);
  std::string week = cq::iso_week(*cq::Date::parse(day)).str();
  CHECK(ok(sup->call("clarify.list", Doc{{"week", week}}))["items"].size() == 1);
  CHECK(ok(sup->call("clarify.list", Doc{{"week", "2026-W01"}}))["items"].empty());
  CHECK(ok(sup->call("clarify.list", Doc{{"region", "nanhu"}}))["items"].size() == 1);
  CHECK(ok(sup->call("clarify.list", Doc{{"region", "chengguan"}}))["items"].empty());
  CHECK(refused(sup->call("clarify.list", Doc{{"state", "lost"}})).find("body.state") != std::string::npos);
  CHECK(refused(sup->call("clarify.list", Doc{{"week", "48"}})).find("body.week") != std::string::npos);
}

TEST_CASE("clarify: kill -9 while conclusions stream in; exactly one case per (report, official)") {
  Cluster c(three());
  add_staff(c);
  c.start_all();
  Flow f(c);
  const int reports = 12;
  std::vector<std::string> cns;
  for (int i = 0; i < reports; ++i) {
    std::string cn = ok(f.clerk->call("report.submit", two_officials(600 + i)))["case_no"];
    cns.push_back(cn);
  }
  for (const auto& cn : cns) {
    cq::test::eventually_ok(*f.admin_triage, "triage.show", Doc{{"case_no", cn}});
    ok(f.officer->call("triage.decide", Doc{{"case_no", cn}, {"disposal", "preliminary_verification"}}));
  }
  std::atomic<int> done{0};
  std::thread stream([&] {
    auto officer = c.client("triage", "officer1");
    for (const auto& cn : cns) {
      auto r = officer->call("conclusion.add", Doc{{"case_no", cn}, {"kind", "untrue"}, {"summary", "不属实"}});
      if (r && r->ok) ++done;
      std::this_thread::sleep_for(30ms);
    }
  });
  while (done < 3) std::this_thread::sleep_for(5ms);
  c.kill9("clarify");
  c.start("clarify");
  REQUIRE(c.wait_ready("clarify"));
  while (done < 8) std::this_thread::sleep_for(5ms);
  c.kill9("clarify");
  c.start("clarify");
  REQUIRE(c.wait_ready("clarify"));
  stream.join();
  REQUIRE(done == reports);
  f.admin_clarify = c.client("clarify", "admin");
  f.settle();
  Doc all = ok(f.admin_clarify->call("clarify.list", Doc{{"state", "awaiting_consent"}}))["items"];
  CHECK(all.size() == 2 * reports);
  std::set<std::pair<std::string, std::string>> pairs;
  std::set<std::string> numbers;
  for (const auto& d : all) {
    pairs.insert(std::make_pair(d["case_no"].get<std::string>(), d["official"].get<std::string>()));
    numbers.insert(d["number"]);
  }
  CHECK(pairs.size() == 2 * reports);
  CHECK(numbers.size() == 2 * reports);
}
