// tools/bench intake: acknowledged reports per second through the real intake
// process (real sockets, CURVE, several concurrent clients), beside the
// baseline of inserting the same rows straight into SQLite with
// synchronous=FULL in transactions of 1,000; then p50/p99 acknowledgement
// latency at a moderate fixed rate.
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "bench.h"
#include "cluster.h"
#include "cq/crypto.h"
#include "cq/outbox.h"
#include "cq/store.h"
#include "samples.h"
#include "schema.h"

namespace cq::bench {

namespace {

struct Options {
  int reports = 20000;
  // A busy office: 8 clients keeping 128 requests each in flight. The ratio
  // depends on the load (group commits grow with it): at 4 x 64 it is lower.
  int clients = 8;
  int window = 128;
  int rate = 200;
  int seconds = 5;
  int rounds = 3;
  bool baseline_only = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--baseline-only") o.baseline_only = true;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--reports") o.reports = v;
    else if (k == "--clients") o.clients = v;
    else if (k == "--window") o.window = v;
    else if (k == "--rate") o.rate = v;
    else if (k == "--seconds") o.seconds = v;
    else if (k == "--rounds") o.rounds = std::max(1, v);
  }
  return o;
}

// The rows intake writes for one report, prepared in advance so that only
// the inserts are timed.
struct Rows {
  std::string case_no, summary, details, specifics, text_hash, query_hash, phone_hash, accused_key, request_id;
  std::string sealed_identity, sealed_code, event;
};

double baseline(const std::filesystem::path& dir, int n) {
  auto key = crypto::random_key();
  std::vector<Rows> rows(n);
  for (int i = 0; i < n; ++i) {
    Doc r = test::sample_report(i);
    auto& x = rows[i];
    x.case_no = "XF2026-" + std::to_string(100000 + i);
    x.summary = r["summary"];
    x.details = r["details"];
    x.specifics = r["specifics"].dump();
    x.text_hash = crypto::keyed_hash(key, "text", x.details);
    x.query_hash = crypto::keyed_hash(key, "query", std::to_string(i));
    x.phone_hash = crypto::keyed_hash(key, "reporter.phone", r["reporter"]["phone"].get<std::string>());
    x.accused_key = crypto::keyed_hash(key, "accused", std::to_string(i));
    x.request_id = "bench-" + std::to_string(i);
    x.sealed_identity = crypto::seal(key, r["reporter"].dump());
    x.sealed_code = crypto::seal(key, "ABCD-EFGH-JKMN-PQRS");
    x.event = encode(r);
  }
  Store store(dir / "baseline.db", intake::migrations());
  Outbox outbox(store);
  auto blob = [](SQLite::Statement& st, int i, const std::string& b) { st.bind(i, b.data(), static_cast<int>(b.size())); };
  auto t0 = Clock::now();
  for (int start = 0; start < n; start += 1000) {
    WriteTx tx(store);
    for (int i = start; i < std::min(n, start + 1000); ++i) {
      const auto& x = rows[i];
      auto& r = store.stmt(
          "INSERT INTO reports(case_no, external_id, channel, received_at, registered_at, registered_by, real_name,"
          " category, region, summary, details, specifics, forwarded_from, text_hash, status, duplicate_of,"
          " duplicate_reason, query_hash, ack_due) VALUES(?,NULL,'letter',?,?,'clerk',1,'corruption','nanhu',?,?,?,'',?,'registered',NULL,NULL,?,'2026-12-07')");
      r.bind(1, x.case_no);
      r.bind(2, int64_t(1763256600000) + i);
      r.bind(3, int64_t(1763856600000) + i);
      r.bind(4, x.summary);
      r.bind(5, x.details);
      r.bind(6, x.specifics);
      r.bind(7, x.text_hash);
      r.bind(8, x.query_hash);
      r.exec();
      int64_t id = store.db().getLastInsertRowid();
      auto& a = store.stmt("INSERT INTO accused(report_id, idx, name, unit, post, level, region, accused_key) VALUES(?,0,'测试干部','南湖县某镇人民政府','副镇长','section','nanhu',?)");
      a.bind(1, id);
      a.bind(2, x.accused_key);
      a.exec();
      auto& ri = store.stmt("INSERT INTO reporter_identity(report_id, sealed) VALUES(?, ?)");
      ri.bind(1, id);
      blob(ri, 2, x.sealed_identity);
      ri.exec();
      auto& rk = store.stmt("INSERT INTO reporter_keys(report_id, kind, hash) VALUES(?, 'phone', ?)");
      rk.bind(1, id);
      rk.bind(2, x.phone_hash);
      rk.exec();
      auto& s = store.stmt("INSERT INTO submissions(user, request_id, case_no, sealed_code) VALUES('clerk', ?, ?, ?)");
      s.bind(1, x.request_id);
      s.bind(2, x.case_no);
      blob(s, 3, x.sealed_code);
      s.exec();
      auto& o = store.stmt("INSERT INTO outbox(type, at, subject, data) VALUES('report.received', ?, ?, ?)");
      o.bind(1, int64_t(1763856600000) + i);
      o.bind(2, x.case_no);
      blob(o, 3, x.event);
      o.exec();
    }
    tx.commit();
  }
  return n / seconds_since(t0);
}

}  // namespace

Submitted submit_all(test::Cluster& c, const std::string& user, const std::vector<std::vector<Doc>>& bodies, int window) {
  std::atomic<int> acked{0}, failed{0};
  std::vector<std::unique_ptr<Client>> clients;
  for (std::size_t t = 0; t < bodies.size(); ++t) clients.push_back(c.client("intake", user, 30000, 1));
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < bodies.size(); ++t)
    threads.emplace_back([&, t] {
      auto& client = clients[t];
      int mine = static_cast<int>(bodies[t].size());
      int sent = 0, got = 0;
      while (got < mine) {
        while (sent < mine && sent - got < window) client->send("report.submit", bodies[t][sent++]);
        auto r = client->receive(std::chrono::milliseconds(30000));
        if (!r) break;
        ++got;
        (r->second.ok ? acked : failed)++;
      }
    });
  for (auto& th : threads) th.join();
  return Submitted{acked, failed, seconds_since(t0)};
}

namespace {

// CPU seconds (user + system) a process has used so far.
double cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  auto close = stat.rfind(')');
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return double(utime + stime) / sysconf(_SC_CLK_TCK);
}

}  // namespace

struct Round {
  double base = 0, rate = 0, cpu_per_report_us = 0, cpu_use = 0, clients_cpu = 0, per_commit = 0;
  int failed = 0;
};

// One round: a fresh installation, the baseline on a fresh file beside it,
// then the same number of reports through intake.
Round throughput_round(const Options& o) {
  Round out;
  test::Cluster c;
  c.add_user("benchclerk", "clerk");
  out.base = baseline(c.dir(), o.reports);
  c.start_all();
  // Clerks' machines build their reports; here they are built before the clock starts.
  std::vector<std::vector<Doc>> bodies(o.clients);
  for (int t = 0; t < o.clients; ++t) {
    int mine = o.reports / o.clients + (t < o.reports % o.clients ? 1 : 0);
    for (int i = 0; i < mine; ++i) bodies[t].push_back(test::sample_report(t * 1000000 + i));
  }
  auto ping0 = c.client("intake", "admin")->call("ping", Doc::object())->body;
  int intake_pid = ping0["pid"];
  double cpu0 = cpu_seconds(intake_pid), self0 = cpu_seconds(getpid());
  auto sent = submit_all(c, "benchclerk", bodies, o.window);
  int acked = sent.acked, failed = sent.failed;
  double elapsed = sent.seconds;
  double intake_cpu = cpu_seconds(intake_pid) - cpu0;
  out.rate = acked / elapsed;
  out.cpu_per_report_us = 1e6 * intake_cpu / std::max(1, acked);
  out.cpu_use = 100 * intake_cpu / elapsed;
  out.clients_cpu = 100 * (cpu_seconds(getpid()) - self0) / elapsed;
  auto ping1 = c.client("intake", "admin")->call("ping", Doc::object())->body;
  out.per_commit = double(ping1["committed_requests"].get<int64_t>() - ping0["committed_requests"].get<int64_t>()) /
                   std::max<int64_t>(1, ping1["group_commits"].get<int64_t>() - ping0["group_commits"].get<int64_t>());
  out.failed = failed;
  return out;
}

std::vector<double> latencies(const Options& o) {
  test::Cluster c;
  c.add_user("benchclerk", "clerk");
  c.start_all();
  std::vector<double> lat;
  auto client = c.client("intake", "benchclerk", 10000, 1);
  std::map<std::string, Clock::time_point> sent_at;
  auto start = Clock::now();
  auto period = std::chrono::duration<double>(1.0 / o.rate);
  int total = o.rate * o.seconds, sent = 0;
  while (sent < total || !sent_at.empty()) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(period * sent);
    if (sent < total && Clock::now() >= due) {
      auto id = client->send("report.submit", test::sample_report(50000000 + sent));
      sent_at[id] = due;  // from when it was due: no coordinated omission
      ++sent;
      continue;
    }
    auto wait = sent < total ? std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now())
                             : std::chrono::milliseconds(5000);
    auto r = client->receive(std::max(wait, std::chrono::milliseconds(0)));
    if (!r) {
      if (sent >= total) break;
      continue;
    }
    auto it = sent_at.find(r->first);
    if (it == sent_at.end()) continue;
    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - it->second).count());
    sent_at.erase(it);
  }
  return lat;
}

int bench_intake(int argc, char** argv) {
  Options o = parse(argc, argv);
  if (o.baseline_only) {  // for profiling the baseline alone
    test::Cluster c;
    std::printf("baseline: %.0f reports/s\n", baseline(c.dir(), o.reports));
    return 0;
  }
  std::printf("intake benchmark: %d rounds of %d reports; %d clients with %d requests in flight each;\n"
              "latency at %d/s for %d s. Baseline: the same rows inserted straight into SQLite\n"
              "(WAL, synchronous=FULL, 1,000 per transaction), measured in each round.\n\n",
              o.rounds, o.reports, o.clients, o.window, o.rate, o.seconds);
  std::printf("%-6s %12s %12s %7s %12s %10s %10s %10s\n", "round", "baseline/s", "intake/s", "ratio", "intake CPU", "CPU use", "per commit", "clients");
  std::vector<double> ratios;
  std::vector<Round> rounds;
  int failed = 0;
  for (int r = 0; r < o.rounds; ++r) {
    Round x = throughput_round(o);
    rounds.push_back(x);
    ratios.push_back(x.rate / x.base);
    failed += x.failed;
    std::printf("%-6d %12.0f %12.0f %7.2f %9.0f us %9.0f%% %10.0f %9.0f%%\n", r + 1, x.base, x.rate, x.rate / x.base,
                x.cpu_per_report_us, x.cpu_use, x.per_commit, x.clients_cpu);
    std::fflush(stdout);
  }
  auto lat = latencies(o);
  std::printf("\n%-58s %12s\n", "measure", "value");
  std::printf("%-58s %12.2f\n", "ratio intake / baseline, median of rounds (target >= 0.5)", percentile(ratios, 50));
  std::printf("%-58s %12.2f\n", ("ack latency p50 at " + std::to_string(o.rate) + "/s, ms").c_str(), percentile(lat, 50));
  std::printf("%-58s %12.2f\n", ("ack latency p99 at " + std::to_string(o.rate) + "/s, ms").c_str(), percentile(lat, 99));
  std::printf("%-58s %12zu\n", "latency samples", lat.size());
  std::printf("%-58s %12d\n", "failed submissions", failed);
  return failed ? 1 : 0;
}

}  // namespace cq::bench
