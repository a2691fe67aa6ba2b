// tools/bench triage: suggestions per second on the labelled set replayed
// many times, through real intake and triage processes, beside intake's own
// rate in the same run: triage must keep up with intake.
#include <atomic>
#include <fstream>
#include <thread>

#include "bench.h"
#include "cq/config.h"
#include "labelled.h"
#include "rules.h"

namespace cq::bench {


int bench_triage(int argc, char** argv) {
  int replays = 40, clients = 8, window = 128, paced_seconds = 5;
  double paced_share = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--replays") replays = std::max(1, v);
    else if (k == "--clients") clients = std::max(1, v);
    else if (k == "--window") window = std::max(1, v);
    else if (k == "--paced-seconds") paced_seconds = std::max(1, v);
    else if (k == "--paced-share") paced_share = std::clamp(std::atof(argv[i + 1]), 0.01, 2.0);
  }
  auto set = test::labelled_reports();
  std::printf("triage benchmark: the labelled set (%zu reports) replayed %d times through intake and triage;\n"
              "%d clients with %d requests in flight each; then %.0f%% of intake's peak rate offered for %d s.\n\n",
              set.size(), replays, clients, window, 100 * paced_share, paced_seconds);

  // The rule engine alone, in this process.
  auto cfg = load_config(std::string(CQ_SOURCE_DIR) + "/config/chengqing.toml");
  auto rules = triage::RuleSet::from_config(*cfg);
  std::vector<Doc> events;
  for (const auto& it : set) events.push_back(test::as_event(it["report"]));
  auto t0 = Clock::now();
  std::size_t n = 0;
  while (seconds_since(t0) < 1.0)
    for (const auto& ev : events) {
      (void)triage::evaluate(*rules, triage::facts_from_report(ev));
      ++n;
    }
  double engine_rate = n / seconds_since(t0);

  // Real processes.
  test::Cluster::Options o;
  o.services = {"intake", "triage"};
  test::Cluster c(o);
  c.add_user("benchclerk", "clerk");
  c.start_all();
  std::vector<std::vector<Doc>> bodies(clients);
  int total = 0;
  for (int k = 0; k < replays; ++k)
    for (std::size_t i = 0; i < set.size(); ++i) {
      Doc b = set[i]["report"];
      b["details"] = b.value("details", std::string()) + "（第" + std::to_string(k + 1) + "份）";
      if (!b["reporter"].value("anonymous", true)) b["reporter"]["phone"] = std::to_string(13900000000LL + k * 1000 + i);
      bodies[total++ % clients].push_back(std::move(b));
    }
  auto triage_admin = c.client("triage", "admin", 5000, 1);
  int64_t before = triage_admin->call("ping", Doc::object())->body["last_event"];
  auto start = Clock::now();
  Submitted sent;
  std::thread submitter([&] { sent = submit_all(c, "benchclerk", bodies, window); });
  double triage_done = 0;
  while (true) {
    auto r = triage_admin->call("ping", Doc::object());
    if (r && r->ok && r->body["last_event"].get<int64_t>() - before >= total) {
      triage_done = seconds_since(start);
      break;
    }
    if (seconds_since(start) > 600) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  submitter.join();
  double intake_rate = sent.acked / sent.seconds;
  double triage_rate = triage_done > 0 ? total / triage_done : 0;

  // Capacity: triage stopped while the same number of reports arrive, then
  // started to drain the backlog with the machine to itself (as on its own host).
  c.stop("triage");
  for (auto& list : bodies)
    for (auto& b : list) b["details"] = b["details"].get<std::string>() + "（积压）";
  for (auto& list : bodies)
    for (auto& b : list)
      if (!b["reporter"].value("anonymous", true)) b["reporter"]["phone"] = "1" + b["reporter"]["phone"].get<std::string>().substr(2) ;
  Submitted backlog = submit_all(c, "benchclerk", bodies, window);
  c.start("triage");
  auto drain_start = Clock::now();
  double drained = 0, first_seen = -1;
  int64_t at_first = 0;
  auto prober = c.client("triage", "admin", 500, 1);
  while (seconds_since(drain_start) < 600) {
    auto probe = prober->call("ping", Doc::object());
    if (probe && probe->ok) {
      int64_t done = probe->body["last_event"].get<int64_t>() - before - total;
      if (first_seen < 0 && done > 0) {  // the first page is in: start-up is over
        first_seen = seconds_since(drain_start);
        at_first = done;
      }
      if (done >= total) {
        drained = seconds_since(drain_start);
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double drain_rate = drained > 0 ? total / drained : 0;
  double steady_rate = drained > first_seen && first_seen >= 0 ? (total - at_first) / (drained - first_seen) : 0;

  // Sustained: reports offered at a steady share of intake's peak for some
  // seconds, with the machine shared; triage keeps up when its backlog stays
  // small and it is done shortly after the last acknowledgement.
  int paced_rate = static_cast<int>(intake_rate * paced_share);
  int paced_total = paced_rate * paced_seconds, paced_acked = 0, paced_failed = 0;
  int64_t paced_before = prober->call("ping", Doc::object())->body["last_event"];
  std::atomic<int> acked_so_far{0};
  std::atomic<bool> sending{true};
  std::thread pacer([&] {
    auto client = c.client("intake", "benchclerk", 10000, 1);
    auto t0 = Clock::now();
    auto period = std::chrono::duration<double>(1.0 / std::max(1, paced_rate));
    int sent = 0, answered = 0;
    while (answered < sent || sent < paced_total) {
      auto due = t0 + std::chrono::duration_cast<Clock::duration>(period * sent);
      if (sent < paced_total && Clock::now() >= due) {
        Doc b = set[sent % set.size()]["report"];
        b["details"] = b.value("details", std::string()) + "（持续" + std::to_string(sent) + "）";
        if (!b["reporter"].value("anonymous", true)) b["reporter"]["phone"] = std::to_string(13700000000LL + sent);
        client->send("report.submit", b);
        ++sent;
        continue;
      }
      auto wait = sent < paced_total ? std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now())
                                     : std::chrono::milliseconds(10000);
      auto r = client->receive(std::max(wait, std::chrono::milliseconds(0)));
      if (!r) {
        if (sent >= paced_total) break;
        continue;
      }
      ++answered;
      if (r->second.ok) acked_so_far = ++paced_acked;
      else ++paced_failed;
    }
    paced_failed += sent - answered;
    sending = false;
  });
  int max_backlog = 0;
  double paced_done_after_ms = -1;
  Clock::time_point last_ack_seen = Clock::now();
  int last_acked = -1;
  while (true) {
    auto r = prober->call("ping", Doc::object());
    int acked = acked_so_far;
    if (acked != last_acked) {
      last_acked = acked;
      last_ack_seen = Clock::now();
    }
    if (r && r->ok) {
      int triaged = static_cast<int>(r->body["last_event"].get<int64_t>() - paced_before);
      max_backlog = std::max(max_backlog, acked - triaged);
      if (!sending && triaged >= paced_acked) {
        paced_done_after_ms = 1000 * seconds_since(last_ack_seen);
        break;
      }
    }
    if (seconds_since(last_ack_seen) > 60) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pacer.join();
  std::printf("%-58s %12s\n", "measure", "value");
  std::printf("%-58s %12.0f\n", "rule engine alone (this process), suggestions/s", engine_rate);
  std::printf("%-58s %12d\n", "reports submitted", total);
  std::printf("%-58s %12.0f\n", "intake: acknowledged reports/s", intake_rate);
  std::printf("%-58s %12.0f\n", "triage: suggestions/s, from the first submission", triage_rate);
  std::printf("%-58s %12.2f\n", "ratio triage / intake, sharing 2 cores", triage_rate / intake_rate);
  std::printf("%-58s %12.0f\n", "triage finished after intake, ms", 1000 * (triage_done - sent.seconds));
  std::printf("%-58s %12.0f\n", "triage alone draining a backlog, suggestions/s (incl. start)", drain_rate);
  std::printf("%-58s %12.2f\n", "ratio triage alone / intake", drain_rate / intake_rate);
  std::printf("%-58s %12.0f\n", "triage alone, after its first page, suggestions/s", steady_rate);
  std::printf("%-58s %12.2f\n", "ratio triage alone after its first page / intake", steady_rate / intake_rate);
  std::printf("%-58s %12d\n", ("sustained: reports/s offered for " + std::to_string(paced_seconds) + " s").c_str(),
              paced_rate);
  std::printf("%-58s %12d\n", "sustained: largest backlog seen (reports)", max_backlog);
  std::printf("%-58s %12.2f\n", "sustained: largest backlog / reports per second", max_backlog / double(std::max(1, paced_rate)));
  std::printf("%-58s %12.0f\n", "sustained: triage done after the last acknowledgement, ms", paced_done_after_ms);
  std::printf("%-58s %12d\n", "failed submissions", sent.failed + backlog.failed + paced_failed);
  return sent.failed || backlog.failed || paced_failed || triage_done == 0 || drained == 0 || paced_done_after_ms < 0
             ? 1 : 0;
}

}  // namespace cq::bench
