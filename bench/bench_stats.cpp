// tools/bench stats: a national year (3.5 million reports by default) and
// their downstream events generated into the services' event logs; the stats
// service ingests them, answers the weekly report for every week and region,
// and rebuilds; beside intake's live ingestion rate measured in the same run.
#include <atomic>
#include <random>
#include <thread>

#include "../services/clarify/schema.h"
#include "../services/intake/schema.h"
#include "../services/registry/schema.h"
#include "../services/triage/schema.h"
#include "bench.h"
#include "cq/msgpack_writer.h"
#include "cq/outbox.h"
#include "cq/store.h"
#include "samples.h"

namespace cq::bench {

namespace {

struct Generated {
  int64_t reports = 0, events = 0;
  std::map<std::string, int64_t> last;  // per source: its last seq
  double seconds = 0;
};

// Writes the event histories of intake, triage, clarify and registry straight
// into their databases (as if they had run for a year), with the consumers'
// cursors at the end so the services do not re-process them.
Generated generate(const test::Cluster& c, int64_t reports) {
  auto t0 = Clock::now();
  const auto& cfg = c.config();
  Calendar cal(cfg.holidays, cfg.workdays);
  auto dir = cfg.data_dir;
  std::filesystem::create_directories(dir);
  Store intake_db(dir / "intake.db", intake::migrations()), triage_db(dir / "triage.db", triage::migrations()),
      clarify_db(dir / "clarify.db", clarify::migrations()), registry_db(dir / "registry.db", registry::migrations());
  Outbox intake(intake_db), triage(triage_db), clarify(clarify_db), registry(registry_db);
  std::vector<std::string> regions, channels;
  for (const auto& r : cfg.regions) regions.push_back(r.code);
  for (const auto& ch : cfg.channels) channels.push_back(ch.code);
  const std::vector<std::string> classes = {"verifiable", "vague", "suspected_malicious", "not_ours", "repeat"};
  const std::vector<double> class_p = {0.45, 0.30, 0.05, 0.10, 0.10};
  const std::vector<std::string> kinds = {"substantiated", "partly", "untrue", "no_evidence", "false_accusation"};
  const std::vector<double> kind_p = {0.30, 0.20, 0.30, 0.18, 0.02};
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](const std::vector<double>& p) {
    double x = u(rng), acc = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
      if ((acc += p[i]) >= x) return i;
    return p.size() - 1;
  };
  Millis year_start = *parse_time("2026-01-01T00:00:00+08:00"), year_ms = 365LL * 86400000;
  const Millis day = 86400000;
  Generated g;
  auto write = [&](Outbox& box, const char* type, const std::string& subject, MsgWriter& w, Millis at) {
    box.append_encoded_at(type, subject, w.bytes(), at);
    ++g.events;
  };
  std::vector<std::unique_ptr<WriteTx>> txs;
  auto begin = [&] {
    txs.clear();
    for (Store* s : {&intake_db, &triage_db, &clarify_db, &registry_db}) txs.push_back(std::make_unique<WriteTx>(*s));
  };
  auto commit = [&] {
    for (auto& t : txs) t->commit();
    txs.clear();
  };
  begin();
  int64_t accusers = 0, notices = 0, clar = 0;
  for (int64_t i = 0; i < reports; ++i) {
    char cn[32];
    std::snprintf(cn, sizeof cn, "XF2026-%07lld", static_cast<long long>(i + 1));
    std::string case_no = cn;
    Millis received = year_start + static_cast<Millis>(u(rng) * year_ms);
    const std::string& region = regions[rng() % regions.size()];
    bool real = u(rng) < 0.5, merged = u(rng) < 0.05;
    {
      MsgWriter w;
      w.map(7).str("case_no").str(case_no).str("channel").str(channels[rng() % channels.size()]);
      w.str("received_at").value(static_cast<int64_t>(received)).str("real_name").value(real);
      w.str("region").str(region).str("category").str("corruption").str("reporter_keys").map(0);
      write(intake, merged ? "report.merged" : "report.received", case_no, w, received);
    }
    std::string klass = classes[pick(class_p)];
    {
      MsgWriter w;
      w.map(6).str("region").str(region).str("case_no").str(case_no).str("class").str(klass);
      w.str("score").value(1.5).str("rules").array(0).str("rerun").value(false);
      write(triage, "report.triaged", case_no, w, received + 60000);
    }
    if (u(rng) < 0.9) {
      std::string due = cal.add_working_days(local_date(received), 5).str();
      Millis decided = received + static_cast<Millis>((1 + u(rng) * 9) * day);
      MsgWriter w;
      w.map(6).str("case_no").str(case_no).str("class").str(klass).str("overridden").value(u(rng) < 0.05);
      w.str("disposal").str("preliminary_verification").str("region").str(region).str("triage_due").str(due);
      write(triage, "report.decided", case_no, w, decided);
      if (u(rng) < 0.35) {
        std::string kind = kinds[pick(kind_p)];
        Millis concluded = decided + static_cast<Millis>((20 + u(rng) * 40) * day);
        MsgWriter c1;
        c1.map(4).str("case_no").str(case_no).str("kind").str(kind).str("region").str(region).str("real_name").value(real);
        write(triage, "report.concluded", case_no, c1, concluded);
        if (kind == "untrue" || kind == "no_evidence") {
          char num[32];
          std::snprintf(num, sizeof num, "CL2026-%07lld", static_cast<long long>(++clar));
          std::string cdue = cal.add_working_days(local_date(concluded), 30).str();
          auto ev = [&](const char* type, Millis at, int extra, auto&& more) {
            MsgWriter w2;
            w2.map(4 + extra).str("number").str(num).str("case_no").str(case_no).str("region").str(region);
            w2.str("due").str(cdue);
            more(w2);
            write(clarify, type, num, w2, at);
          };
          ev("clarify.opened", concluded, 1, [&](MsgWriter& w2) { w2.str("conclusion").str(kind); });
          double r = u(rng);
          if (r < 0.7) {
            Millis held = concluded + static_cast<Millis>((5 + u(rng) * 30) * day);
            ev("clarify.held", held, 3, [&](MsgWriter& w2) {
              w2.str("date").str(local_date(held).str()).str("type").str(u(rng) < 0.6 ? "meeting" : "written");
              w2.str("attendees").value(30);
            });
            ev("clarify.followed_up", held + 20 * day, 0, [](MsgWriter&) {});
            ev("clarify.closed", held + 20 * day, 2,
               [&](MsgWriter& w2) { w2.str("outcome").str("clarified").str("pending").value(false); });
          } else if (r < 0.8) {
            ev("clarify.closed", concluded + 3 * day, 2,
               [&](MsgWriter& w2) { w2.str("outcome").str("declined").str("pending").value(true); });
          }
        }
        if (kind == "false_accusation" && real) {
          char num[32];
          std::snprintf(num, sizeof num, "WG2026-%05lld", static_cast<long long>(++accusers));
          MsgWriter a;
          a.map(2).str("number").str(num).str("region").str(region);
          write(registry, "accuser.opened", num, a, concluded);
          MsgWriter b;
          b.map(4).str("number").str(num).str("state").str("action_decided").str("region").str(region);
          b.str("action").str("criticism");
          write(registry, "accuser.action_decided", num, b, concluded + 10 * day);
          if (u(rng) < 0.2) {
            char nn[32];
            std::snprintf(nn, sizeof nn, "TB2026-%04lld", static_cast<long long>(++notices));
            MsgWriter n;
            n.map(2).str("notice").str(nn).str("region_codes").array(1).str(region);
            write(registry, "accuser.notice_published", nn, n, concluded + 20 * day);
          }
        }
      }
    }
    ++g.reports;
    if ((i + 1) % 200000 == 0 || i + 1 == reports) {
      commit();
      std::fprintf(stderr, "\rgenerating: %lld / %lld reports, %lld events", static_cast<long long>(i + 1),
                   static_cast<long long>(reports), static_cast<long long>(g.events));
      if (i + 1 < reports) begin();
    }
  }
  std::fprintf(stderr, "\n");
  g.last["intake"] = intake.last();
  g.last["triage"] = triage.last();
  g.last["clarify"] = clarify.last();
  g.last["registry"] = registry.last();
  // The services have seen all of it already: their cursors are at the end.
  auto cursor = [](Store& s, const std::string& source, int64_t seq) {
    s.db().exec("CREATE TABLE IF NOT EXISTS cursors(source TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
    SQLite::Statement st(s.db(), "INSERT OR REPLACE INTO cursors(source, seq) VALUES(?, ?)");
    st.bind(1, source);
    st.bind(2, seq);
    st.exec();
  };
  cursor(triage_db, "intake", g.last["intake"]);
  cursor(triage_db, "registry", g.last["registry"]);
  cursor(clarify_db, "triage", g.last["triage"]);
  cursor(registry_db, "triage", g.last["triage"]);
  g.seconds = seconds_since(t0);
  return g;
}

// Waits until stats has applied every source's last event; returns seconds.
double wait_caught_up(test::Cluster& c, const Generated& g, Clock::time_point t0) {
  auto admin = c.client("stats", "admin", 5000, 1);
  int64_t total = 0;
  for (const auto& [s, n] : g.last) total += n;
  auto last_print = Clock::now();
  while (seconds_since(t0) < 3600) {
    auto r = admin->call("stats.status", Doc::object());
    if (r && r->ok) {
      int64_t applied = 0;
      bool all = true;
      for (const auto& [s, n] : g.last) {
        int64_t a = r->body["sources"].contains(s) ? r->body["sources"][s]["applied"].get<int64_t>() : 0;
        applied += a;
        all = all && a >= n;
      }
      if (all) break;
      if (seconds_since(last_print) > 1) {
        last_print = Clock::now();
        std::fprintf(stderr, "\r  %lld / %lld events (%.0f%%)", static_cast<long long>(applied),
                     static_cast<long long>(total), 100.0 * applied / std::max<int64_t>(1, total));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "\n");
  return seconds_since(t0);
}

}  // namespace

int bench_stats(int argc, char** argv) {
  int64_t reports = 3500000;
  int live = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--reports") reports = std::max<int64_t>(1000, std::atoll(argv[i + 1]));
    else if (k == "--live") live = std::max(1000, std::atoi(argv[i + 1]));
  }
  std::printf("stats benchmark: a year of %lld reports and their downstream events; %d reports through intake for "
              "its live rate.\n\n", static_cast<long long>(reports), live);

  // Baseline in the same run: intake's live ingestion rate.
  double live_rate = 0;
  {
    test::Cluster c;
    c.add_user("benchclerk", "clerk");
    c.start("intake");
    c.wait_ready("intake");
    std::vector<std::vector<Doc>> bodies(8);
    for (int i = 0; i < live; ++i) bodies[i % 8].push_back(test::sample_report(60000000 + i));
    auto s = submit_all(c, "benchclerk", bodies, 128);
    live_rate = s.acked / s.seconds;
  }

  test::Cluster::Options o;
  o.services = {"intake", "triage", "clarify", "registry", "stats"};
  test::Cluster c(o);
  c.add_user("sup", "supervisor");
  Generated g = generate(c, reports);
  for (const char* s : {"intake", "triage", "clarify", "registry"}) c.start(s);
  for (const char* s : {"intake", "triage", "clarify", "registry"}) c.wait_ready(s, 60000);
  std::fprintf(stderr, "stats ingesting the year:\n");
  auto t_ingest = Clock::now();
  c.start("stats");
  c.wait_ready("stats", 60000);
  double ingest_s = wait_caught_up(c, g, t_ingest);

  // The weekly report for every week and every region (and all regions).
  auto sup = c.client("stats", "sup", 10000, 1);
  std::vector<std::string> regions = {""};
  for (const auto& r : c.config().regions) regions.push_back(r.code);
  // Every week and region; returns the year's reports received (all regions).
  auto every_week = [&](std::vector<double>& ms) {
    int64_t received = 0;
    for (int week = 1; week <= 53; ++week)
      for (const auto& region : regions) {
        char w[16];
        std::snprintf(w, sizeof w, "2026-W%02d", week);
        Doc body{{"week", w}};
        if (!region.empty()) body["region"] = region;
        auto t0 = Clock::now();
        auto r = sup->call("stats.weekly", body);
        ms.push_back(1000 * seconds_since(t0));
        if (r && r->ok && region.empty()) received += r->body["rows"][0]["value"].get<int64_t>();
      }
    return received;
  };
  std::vector<double> ms, ms_after;
  int64_t checksum = every_week(ms);
  std::vector<double> ping_ms;
  for (int i = 0; i < 200; ++i) {
    auto t0 = Clock::now();
    (void)sup->call("ping", Doc::object());
    ping_ms.push_back(1000 * seconds_since(t0));
  }
  std::vector<double> trend_ms;
  for (const auto& region : regions) {
    Doc body{{"week", "2026-W52"}, {"weeks", 12}};
    if (!region.empty()) body["region"] = region;
    auto t0 = Clock::now();
    (void)sup->call("stats.weekly", body);
    trend_ms.push_back(1000 * seconds_since(t0));
  }

  // A full rebuild.
  std::fprintf(stderr, "stats rebuilding:\n");
  auto t_rebuild = Clock::now();
  auto rb = sup->call("stats.rebuild", Doc::object());
  if (!rb || !rb->ok) {
    std::fprintf(stderr, "rebuild refused\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  double rebuild_s = wait_caught_up(c, g, t_rebuild);
  int64_t checksum2 = every_week(ms_after);

  std::printf("%-62s %14s\n", "measure", "value");
  std::printf("%-62s %14lld\n", "reports generated (a national year)", static_cast<long long>(g.reports));
  std::printf("%-62s %14lld\n", "events generated (all services)", static_cast<long long>(g.events));
  std::printf("%-62s %14.1f\n", "generation, s", g.seconds);
  std::printf("%-62s %14.0f\n", "baseline: intake live ingestion, reports/s", live_rate);
  std::printf("%-62s %14.0f\n", "stats first ingestion, events/s", g.events / ingest_s);
  std::printf("%-62s %14.0f\n", "stats full rebuild, events/s", g.events / rebuild_s);
  std::printf("%-62s %14.0f\n", "stats full rebuild, reports/s (a year's reports / time)", g.reports / rebuild_s);
  std::printf("%-62s %14.2f\n", "ratio rebuild reports/s / intake live reports/s", g.reports / rebuild_s / live_rate);
  std::printf("%-62s %14.1f\n", "stats full rebuild, s", rebuild_s);
  std::printf("%-62s %14zu\n", "weekly reports asked (53 weeks x (all + each region))", ms.size());
  std::printf("%-62s %14.2f\n", "weekly report, p50 ms", percentile(ms, 50));
  std::printf("%-62s %14.2f\n", "weekly report, p99 ms", percentile(ms, 99));
  std::printf("%-62s %14.2f\n", "weekly report, max ms (must be < 50)", percentile(ms, 100));
  std::printf("%-62s %14.2f\n", "12-week trend, max ms", percentile(trend_ms, 100));
  std::printf("%-62s %14.2f\n", "baseline: ping round trip to stats, p50 ms", percentile(ping_ms, 50));
  std::printf("%-62s %14s\n", "rebuild gives the live numbers (reports received, all weeks)",
              checksum == checksum2 && checksum == g.reports ? "yes" : "NO");
  return percentile(ms, 100) < 50 && checksum == checksum2 && checksum == g.reports ? 0 : 1;
}

}  // namespace cq::bench
