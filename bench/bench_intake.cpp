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
  int clients = 4;
  int window = 64;
  int rate = 200;
  int seconds = 5;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--reports") o.reports = v;
    else if (k == "--clients") o.clients = v;
    else if (k == "--window") o.window = v;
    else if (k == "--rate") o.rate = v;
    else if (k == "--seconds") o.seconds = v;
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

int bench_intake(int argc, char** argv) {
  Options o = parse(argc, argv);
  std::printf("intake benchmark: %d reports, %d clients with %d requests in flight each; latency at %d/s for %d s\n",
              o.reports, o.clients, o.window, o.rate, o.seconds);
  test::Cluster c;
  c.add_user("benchclerk", "clerk");

  std::printf("baseline: the same rows inserted straight into SQLite (WAL, synchronous=FULL, 1,000 per transaction) ...\n");
  std::fflush(stdout);
  double base = baseline(c.dir(), o.reports);

  c.start_all();
  std::printf("intake: acknowledged submissions over CURVE ...\n");
  std::fflush(stdout);
  std::atomic<int> acked{0}, failed{0};
  // Clerks' machines build their reports; here they are built before the clock starts.
  std::vector<std::vector<Doc>> bodies(o.clients);
  for (int t = 0; t < o.clients; ++t) {
    int mine = o.reports / o.clients + (t < o.reports % o.clients ? 1 : 0);
    for (int i = 0; i < mine; ++i) bodies[t].push_back(test::sample_report(t * 1000000 + i));
  }
  std::vector<std::unique_ptr<Client>> clients;
  for (int t = 0; t < o.clients; ++t) clients.push_back(c.client("intake", "benchclerk", 30000, 1));
  int intake_pid = c.client("intake", "admin")->call("ping", Doc::object())->body["pid"];
  double cpu0 = cpu_seconds(intake_pid), self0 = cpu_seconds(getpid());
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.clients; ++t)
    threads.emplace_back([&, t] {
      auto& client = clients[t];
      int mine = static_cast<int>(bodies[t].size());
      int sent = 0, got = 0;
      while (got < mine) {
        while (sent < mine && sent - got < o.window) client->send("report.submit", bodies[t][sent++]);
        auto r = client->receive(std::chrono::milliseconds(30000));
        if (!r) break;
        ++got;
        (r->second.ok ? acked : failed)++;
      }
    });
  for (auto& th : threads) th.join();
  double elapsed = seconds_since(t0);
  double intake_rate = acked / elapsed;
  double intake_cpu = cpu_seconds(intake_pid) - cpu0;
  double clients_cpu = cpu_seconds(getpid()) - self0;

  std::printf("latency: one client at a fixed rate ...\n");
  std::fflush(stdout);
  std::vector<double> lat;
  {
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
  }

  std::printf("\n%-58s %12s\n", "measure", "value");
  std::printf("%-58s %12.0f\n", "baseline: raw SQLite inserts, reports/s", base);
  std::printf("%-58s %12.0f\n", "intake: acknowledged reports/s (CURVE, group commit)", intake_rate);
  std::printf("%-58s %12.2f\n", "ratio intake / baseline (target >= 0.5)", intake_rate / base);
  std::printf("%-58s %12.1f\n", "intake process CPU per report, us", 1e6 * intake_cpu / std::max(1, acked.load()));
  std::printf("%-58s %12.0f\n", "intake process CPU use during the run, % of one core", 100 * intake_cpu / elapsed);
  std::printf("%-58s %12.0f\n", "bench clients' CPU use during the run, % of one core", 100 * clients_cpu / elapsed);
  std::printf("%-58s %12.2f\n", ("ack latency p50 at " + std::to_string(o.rate) + "/s, ms").c_str(), percentile(lat, 50));
  std::printf("%-58s %12.2f\n", ("ack latency p99 at " + std::to_string(o.rate) + "/s, ms").c_str(), percentile(lat, 99));
  std::printf("%-58s %12d\n", "failed submissions", failed.load());
  std::printf("%-58s %12zu\n", "latency samples", lat.size());
  return failed ? 1 : 0;
}

}  // namespace cq::bench
