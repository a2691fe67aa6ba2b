// cq: the one command for people. Talks to the services; `cq up` runs them.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cq/calendar.h"
#include "cq/crypto.h"
#include "cq/keys.h"
#include "accusers.h"
#include "clarify_cmd.h"
#include "weekly.h"
#include "session.h"
#include "supervisor.h"
#include "table.h"

namespace fs = std::filesystem;
using namespace cq;
using namespace cq::cli;

namespace {

// The services cq knows how to start, in start order.
const std::vector<std::string> kServiceNames = {"intake", "triage", "clarify", "registry", "stats"};

fs::path self_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

std::vector<std::string> configured_services(const Config& cfg) {
  std::vector<std::string> out;
  for (const auto& n : kServiceNames)
    if (cfg.services.count(n)) out.push_back(n);
  return out;
}

std::string str(const Doc& d, const char* key) { return text_of(d, key); }

void print_json(const Doc& d) { std::cout << d.dump(2) << "\n"; }

Doc read_json_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw UsageError("cannot read " + file);
  Doc d = Doc::parse(in, nullptr, false);
  if (d.is_discarded()) throw UsageError(file + ": not valid JSON");
  return d;
}

// ---- cq submit ------------------------------------------------------------

struct SubmitArgs {
  std::string file, channel, received_at, category, summary, details, when, where, external_id, forwarded_from;
  std::string r_name, r_id, r_phone, r_address, r_unit;
  bool anonymous = false;
  std::vector<std::string> accused, witnesses, evidence;
  double amount = -1;
};

Doc submit_body(const SubmitArgs& a) {
  if (!a.file.empty()) return read_json_file(a.file);
  Doc b = Doc::object();
  auto set = [&](const char* k, const std::string& v) { if (!v.empty()) b[k] = v; };
  set("channel", a.channel);
  b["received_at"] = a.received_at.empty() ? format_local(now_ms()) : a.received_at;
  set("category", a.category);
  set("summary", a.summary);
  set("details", a.details);
  set("external_id", a.external_id);
  set("forwarded_from", a.forwarded_from);
  Doc r{{"anonymous", a.anonymous || (a.r_name.empty() && a.r_id.empty() && a.r_unit.empty())}};
  auto rset = [&](const char* k, const std::string& v) { if (!v.empty()) r[k] = v; };
  rset("name", a.r_name);
  rset("id_number", a.r_id);
  rset("phone", a.r_phone);
  rset("address", a.r_address);
  rset("unit", a.r_unit);
  b["reporter"] = r;
  Doc acc = Doc::array();
  for (const auto& s : a.accused) {
    // "name,unit,post,level,region" (empty parts allowed)
    std::vector<std::string> parts;
    std::stringstream ss(s);
    std::string part;
    while (std::getline(ss, part, ',')) parts.push_back(part);
    Doc x{{"name", parts.size() > 0 ? parts[0] : ""}};
    const char* keys[] = {"name", "unit", "post", "level", "region"};
    for (std::size_t i = 1; i < parts.size() && i < 5; ++i)
      if (!parts[i].empty()) x[keys[i]] = parts[i];
    acc.push_back(x);
  }
  b["accused"] = acc;
  Doc sp = Doc::object();
  if (!a.when.empty()) sp["when"] = a.when;
  if (!a.where.empty()) sp["where"] = a.where;
  if (a.amount >= 0) sp["amount_yuan"] = a.amount;
  if (!a.witnesses.empty()) sp["witnesses"] = a.witnesses;
  if (!a.evidence.empty()) {
    Doc ev = Doc::array();
    for (const auto& e : a.evidence) {
      auto colon = e.find(':');
      ev.push_back({{"kind", e.substr(0, colon)}, {"description", colon == std::string::npos ? "" : e.substr(colon + 1)}});
    }
    sp["evidence"] = ev;
  }
  if (!sp.empty()) b["specifics"] = sp;
  return b;
}

void print_saved(const Doc& d) {
  std::cout << "case number   " << str(d, "case_no") << "\n";
  std::cout << "status        " << str(d, "status_label") << "\n";
  if (d.contains("duplicate_of"))
    std::cout << "repeat of     " << str(d, "duplicate_of") << " (" << str(d, "duplicate_reason") << ")\n";
  if (d.contains("query_code"))
    std::cout << "query code    " << str(d, "query_code") << "   (give it to the reporter; it is not shown again)\n";
}

// ---- cq import ------------------------------------------------------------

class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(isatty(2)) {}
  void update(std::size_t done, int saved, int existing, int failed, bool final = false) {
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(tty_ ? 100 : 2000)) return;
    if (!tty_ && done == printed_) return;  // a log gets each state once
    last_ = now;
    printed_ = done;
    int width = 30;
    int filled = total_ ? static_cast<int>(width * done / total_) : width;
    std::string bar(filled, '#');
    bar += std::string(width - filled, '.');
    std::fprintf(stderr, "%s[%s] %zu/%zu lines  saved %d  already there %d  bad %d%s", tty_ ? "\r" : "",
                 bar.c_str(), done, total_, saved, existing, failed, (tty_ && !final) ? "" : "\n");
    std::fflush(stderr);
  }
  // Prints a message line without tearing the progress bar.
  void message(const std::string& line) {
    std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", line.c_str());
  }

 private:
  std::size_t printed_ = static_cast<std::size_t>(-1);
  std::size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

int run_import(Session& s, const std::string& file, int batch, bool json) {
  std::size_t total = 0;
  {
    std::ifstream count(file);
    if (!count) throw UsageError("cannot read " + file);
    std::string l;
    while (std::getline(count, l)) ++total;
  }
  std::ifstream in(file);
  Progress progress(total);
  int saved = 0, existing = 0, failed = 0;
  Doc bad = Doc::array();
  std::size_t line_no = 0, done = 0;
  auto report_bad = [&](std::size_t line, const Doc& errors) {
    bad.push_back({{"line", line}, {"errors", errors}});
    ++failed;
    if (!json)
      for (const auto& e : errors)
        progress.message(file + ":" + std::to_string(line) + ": " + str(e, "path") + ": " + str(e, "reason"));
  };
  auto flush = [&](Doc& items) {
    if (items.empty()) return true;
    auto r = s.call("intake", "report.import", Doc{{"items", items}});
    if (!r) return false;
    saved += (*r)["saved"].get<int>();
    existing += (*r)["existing"].get<int>();
    for (const auto& res : (*r)["results"])
      if (!res["ok"].get<bool>()) report_bad(res["line"].get<std::size_t>(), res["errors"]);
    done += items.size();
    items = Doc::array();
    progress.update(done, saved, existing, failed);
    return true;
  };
  Doc items = Doc::array();
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      ++done;
      continue;
    }
    Doc d = Doc::parse(line, nullptr, false);
    if (d.is_discarded() || !d.is_object()) {
      report_bad(line_no, Doc::array({{{"path", "(line)"}, {"reason", d.is_discarded() ? "not valid JSON (or not UTF-8)" : "expected a JSON object"}}}));
      ++done;
      continue;
    }
    items.push_back({{"line", line_no}, {"report", d}});
    if (static_cast<int>(items.size()) >= batch && !flush(items)) return s.exit_code();
  }
  if (!flush(items)) return s.exit_code();
  progress.update(total, saved, existing, failed, true);
  if (json) print_json({{"lines", line_no}, {"saved", saved}, {"existing", existing}, {"failed", failed}, {"bad_lines", bad}});
  else std::cout << "imported " << file << ": " << saved << " saved, " << existing << " already there, " << failed << " bad\n";
  return failed ? kExitRefused : 0;
}

// ---- cq show / list -------------------------------------------------------

void print_report(const Doc& d) {
  auto row = [](const char* k, const std::string& v) { if (!v.empty()) std::cout << k << v << "\n"; };
  row("case number   ", str(d, "case_no"));
  row("status        ", str(d, "status_label"));
  row("duplicate of  ", str(d, "duplicate_of"));
  row("channel       ", str(d, "channel"));
  row("received      ", str(d, "received_at"));
  row("registered    ", str(d, "registered_at") + " by " + str(d, "registered_by"));
  row("reporter      ", d["reporter"].value("real_name", false) ? "real name (identity on file, encrypted)" : "anonymous");
  row("ack. due      ", str(d, "ack_due"));
  row("category      ", str(d, "category"));
  row("region        ", str(d, "region"));
  for (const auto& a : d["accused"])
    row("accused       ", str(a, "name") + "  " + str(a, "unit") + " " + str(a, "post") + " [" + str(a, "level") + ", " + str(a, "region") + "]");
  row("summary       ", str(d, "summary"));
  row("details       ", str(d, "details"));
  if (d.contains("specifics") && !d["specifics"].empty()) row("specifics     ", d["specifics"].dump());
  if (d.contains("duplicates") && !d["duplicates"].empty()) row("repeats       ", d["duplicates"].dump());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cq: Chengqing (澄清) petition and report handling.\n"
               "Talks to the services named in the configuration; `cq up` runs them."};
  app.require_subcommand(1);
  Globals g;
  app.add_option("-c,--config", g.config_flag, "configuration file (default $CQ_CONFIG or config/chengqing.toml)");
  app.add_option("--as", g.user, "act as this user (default $CQ_USER or admin)");
  app.add_option("--key", g.key_file, "the user's key file (default keys_dir/users/USER.key)");

  // cq up
  auto* up = app.add_subcommand("up", "start and supervise every configured service (Ctrl-C stops them)");
  std::vector<std::string> only;
  up->add_option("--only", only, "start only these services");

  // cq keys init
  auto* keys = app.add_subcommand("keys", "key management");
  keys->require_subcommand(1);
  auto* keys_init = keys->add_subcommand("init", "create missing service keys, data keys and the admin user");

  // cq user add / list
  auto* user = app.add_subcommand("user", "users and their roles");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "create a user's key pair and register it with a role");
  std::string new_user, new_role;
  user_add->add_option("name", new_user, "user name")->required();
  user_add->add_option("--role", new_role, "clerk | officer | approver | clarifier | accuser_officer | supervisor | admin")->required();
  auto* user_list = user->add_subcommand("list", "list registered users");
  user_list->add_flag("--json", g.json, "JSON output");

  // cq config show
  auto* config_cmd = app.add_subcommand("config", "the configuration in force");
  config_cmd->require_subcommand(1);
  auto* config_show = config_cmd->add_subcommand("show", "check the configuration and show what it resolves to");
  config_show->add_flag("--json", g.json, "JSON output");

  // cq ping
  auto* ping = app.add_subcommand("ping", "check that services answer");
  ping->add_flag("--json", g.json, "JSON output");

  // cq submit
  SubmitArgs sa;
  auto* submit = app.add_subcommand("submit", "register a report (flags, or --file with a JSON report)");
  submit->add_option("-f,--file", sa.file, "a JSON file holding the report (see docs/protocol.md)");
  submit->add_option("--channel", sa.channel, "letter | visit | phone | online | forwarded");
  submit->add_option("--received-at", sa.received_at, "when it was received (default now), e.g. 2026-11-23T09:30");
  submit->add_flag("--anonymous", sa.anonymous, "the reporter gave no name");
  submit->add_option("--reporter-name", sa.r_name, "real-name reporter: name");
  submit->add_option("--reporter-id", sa.r_id, "reporter's resident ID number");
  submit->add_option("--reporter-phone", sa.r_phone, "reporter's phone");
  submit->add_option("--reporter-address", sa.r_address, "reporter's address");
  submit->add_option("--reporter-unit", sa.r_unit, "reporter's unit");
  submit->add_option("--accused", sa.accused, "accused official: \"name,unit,post,level,region\" (repeat for several)");
  submit->add_option("--category", sa.category, "allegation category code (see config)");
  submit->add_option("--summary", sa.summary, "one-line summary");
  submit->add_option("--details", sa.details, "full text");
  submit->add_option("--when", sa.when, "when it happened");
  submit->add_option("--where", sa.where, "where it happened");
  submit->add_option("--amount", sa.amount, "amount involved, in yuan");
  submit->add_option("--witness", sa.witnesses, "a witness (repeat)");
  submit->add_option("--evidence", sa.evidence, "evidence \"kind:description\" (repeat)");
  submit->add_option("--external-id", sa.external_id, "an id from another system (makes re-submission harmless)");
  submit->add_option("--forwarded-from", sa.forwarded_from, "the body that forwarded it (channel forwarded)");
  submit->add_flag("--json", g.json, "JSON output");

  // cq import
  auto* imp = app.add_subcommand("import", "bulk-import reports from a JSON Lines file (one report per line, each with external_id)");
  std::string import_file;
  int import_batch = 200;
  imp->add_option("file", import_file, "the .jsonl file")->required();
  imp->add_option("--batch", import_batch, "lines per request")->check(CLI::Range(1, 1000));
  imp->add_flag("--json", g.json, "JSON output");

  // cq show
  auto* show = app.add_subcommand("show", "show one report by case number");
  std::string show_case, purpose;
  bool with_identity = false;
  show->add_option("case", show_case, "case number, e.g. XF2026-000001")->required();
  show->add_flag("--identity", with_identity, "also show the reporter's identity (audited; needs --purpose)");
  show->add_option("--purpose", purpose, "why the identity is needed (recorded in the audit trail)");
  show->add_flag("--json", g.json, "JSON output");

  // cq status
  auto* status = app.add_subcommand("status", "look up a report's status by the reporter's query code");
  std::string query_code;
  status->add_option("code", query_code, "the query code given to the reporter")->required();
  status->add_flag("--json", g.json, "JSON output");

  // cq list
  auto* list = app.add_subcommand("list", "list reports, newest first");
  std::string f_channel, f_category, f_region, f_status, f_from, f_to;
  bool f_real = false, f_anon = false, all_pages = false;
  int limit = 50;
  int64_t cursor = 0;
  list->add_option("--channel", f_channel, "filter by channel");
  list->add_option("--category", f_category, "filter by category");
  list->add_option("--region", f_region, "filter by region");
  list->add_option("--status", f_status, "registered | merged");
  list->add_flag("--real-name", f_real, "only real-name reports");
  list->add_flag("--anonymous", f_anon, "only anonymous reports");
  list->add_option("--from", f_from, "received on or after (date or time)");
  list->add_option("--to", f_to, "received before (date or time)");
  list->add_option("--limit", limit, "page size (1-500)");
  list->add_option("--cursor", cursor, "continue after this cursor (printed at the end of a page)");
  list->add_flag("--all", all_pages, "fetch every page");
  list->add_flag("--json", g.json, "JSON output");

  // cq triage
  auto* triage = app.add_subcommand("triage", "triage suggestions (分类研判)");
  triage->require_subcommand(1);
  auto* triage_queue = triage->add_subcommand("queue", "open reports with their suggestion, oldest first, overdue marked");
  std::string t_region, t_class;
  int t_limit = 100;
  triage_queue->add_option("--region", t_region, "only this region");
  triage_queue->add_option("--class", t_class, "only this suggested class");
  triage_queue->add_option("--limit", t_limit, "at most this many (1-1000)");
  triage_queue->add_flag("--json", g.json, "JSON output");
  auto* triage_show = triage->add_subcommand("show", "a report's suggestion with every rule that fired");
  std::string t_case;
  triage_show->add_option("case", t_case, "case number")->required();
  triage_show->add_flag("--json", g.json, "JSON output");
  auto* triage_rerun = triage->add_subcommand("rerun", "re-read the rules from the configuration and re-score open reports");
  triage_rerun->add_flag("--json", g.json, "JSON output");

  auto* triage_decide = triage->add_subcommand("decide", "confirm or override the suggestion and choose the disposal (officers)");
  std::string dc_case, dc_class, dc_reason, dc_disposal, dc_forward;
  triage_decide->add_option("case", dc_case, "case number")->required();
  triage_decide->add_option("--class", dc_class, "override the suggested class (needs --reason)");
  triage_decide->add_option("--reason", dc_reason, "why (required when overriding)");
  triage_decide->add_option("--disposal", dc_disposal,
                            "talk_or_letter 谈话函询 | preliminary_verification 初步核实 | hold 暂存待查 | close 予以了结 | forward 转办")
      ->required();
  triage_decide->add_option("--forward-to", dc_forward, "the competent body (with --disposal forward)");

  // cq conclude / cq conclusion approve|reject|revise
  auto* conclude = app.add_subcommand("conclude", "record what verification found (officers)");
  std::string cc_case, cc_kind, cc_summary, cc_finding, cc_reason;
  conclude->add_option("case", cc_case, "case number")->required();
  conclude->add_option("--as", cc_kind, "substantiated | partly | untrue | no-evidence | false-accusation")->required();
  conclude->add_option("--summary", cc_summary, "what was found")->required();
  conclude->add_option("--finding", cc_finding, "false-accusation only: the finding that facts were fabricated on purpose");
  auto* conclusion = app.add_subcommand("conclusion", "approve, reject or revise a conclusion");
  conclusion->require_subcommand(1);
  auto* c_approve = conclusion->add_subcommand("approve", "confirm a proposed false-accusation finding (approvers; not its proposer)");
  auto* c_reject = conclusion->add_subcommand("reject", "send a proposed false-accusation finding back (approvers)");
  for (auto* sc : {c_approve, c_reject}) {
    sc->add_option("case", cc_case, "case number")->required();
    sc->add_option("--reason", cc_reason, "why")->required();
  }
  auto* c_revise = conclusion->add_subcommand("revise", "revise an effective conclusion (on appeal), with a reason");
  c_revise->add_option("case", cc_case, "case number")->required();
  c_revise->add_option("--as", cc_kind, "the new conclusion")->required();
  c_revise->add_option("--summary", cc_summary, "what was found")->required();
  c_revise->add_option("--reason", cc_reason, "why it is revised")->required();
  c_revise->add_option("--finding", cc_finding, "false-accusation only: the finding of fabrication");

  // cq overdue / cq notified
  auto* overdue = app.add_subcommand("overdue", "work that is late or due within N working days, and who holds it");
  int od_within = 0;
  overdue->add_option("--within", od_within, "also what falls due within this many working days");
  overdue->add_flag("--json", g.json, "JSON output");
  auto* notified = app.add_subcommand("notified", "record that a real-name reporter was told (acceptance or conclusion)");
  std::string nf_case;
  bool nf_acceptance = false, nf_conclusion = false;
  notified->add_option("case", nf_case, "case number")->required();
  notified->add_flag("--acceptance", nf_acceptance, "the acceptance notice was sent");
  notified->add_flag("--conclusion", nf_conclusion, "the conclusion was told");

  // cq notice add / cq dispute add
  auto* notice = app.add_subcommand("notice", "promotion notice (任前公示) and election (换届) periods");
  notice->require_subcommand(1);
  auto* notice_add = notice->add_subcommand("add", "record a period during which reports about an official get a second look");
  std::string n_name, n_unit, n_kind = "promotion", n_from, n_to, n_note;
  notice_add->add_option("--name", n_name, "the official's name")->required();
  notice_add->add_option("--unit", n_unit, "the official's unit")->required();
  notice_add->add_option("--kind", n_kind, "promotion | election");
  notice_add->add_option("--from", n_from, "first day, YYYY-MM-DD")->required();
  notice_add->add_option("--to", n_to, "last day, YYYY-MM-DD")->required();
  notice_add->add_option("--note", n_note, "a note");
  auto* dispute = app.add_subcommand("dispute", "known disputes (利益纠纷) between a reporter and an official");
  dispute->require_subcommand(1);
  auto* dispute_add = dispute->add_subcommand("add", "record a dispute (only a keyed hash of the reporter's identifier is kept)");
  std::string d_id, d_phone, d_name, d_unit, d_note;
  dispute_add->add_option("--reporter-id", d_id, "the reporter's resident ID number");
  dispute_add->add_option("--reporter-phone", d_phone, "the reporter's phone");
  dispute_add->add_option("--name", d_name, "the official's name")->required();
  dispute_add->add_option("--unit", d_unit, "the official's unit")->required();
  dispute_add->add_option("--note", d_note, "what the dispute is")->required();

  // cq audit
  auto* audit = app.add_subcommand("audit", "the audit trail");
  audit->require_subcommand(1);
  std::string audit_service = "intake";
  auto* audit_verify = audit->add_subcommand("verify", "check that no audit row was edited or removed");
  audit_verify->add_option("--service", audit_service, "which service's trail");
  audit_verify->add_flag("--json", g.json, "JSON output");
  auto* audit_list = audit->add_subcommand("list", "list audit rows");
  audit_list->add_option("--service", audit_service, "which service's trail");
  audit_list->add_flag("--json", g.json, "JSON output");

  AccusersCommand accusers(app, g);
  ClarifyCommand clarify(app, g);
  WeeklyCommand weekly(app, g);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    crypto::init();
    if (*config_show) {
      Config cfg = load_config_or_throw(g.config_flag);
      Doc services = Doc::object();
      for (const auto& [n, e] : cfg.services)
        services[n] = {{"request", e.request}, {"publish", e.publish}, {"bind_request", e.bind_request},
                       {"bind_publish", e.bind_publish}};
      Doc d{{"file", cfg.file.string()},         {"data_dir", cfg.data_dir.string()},
            {"keys_dir", cfg.keys_dir.string()}, {"log_dir", cfg.log_dir.string()},
            {"time_zone", cfg.time_zone},        {"deadlines", cfg.deadlines},
            {"services", services}};
      if (g.json) {
        print_json(d);
      } else {
        std::cout << "configuration " << cfg.file.string() << " is valid\n"
                  << "data " << cfg.data_dir.string() << "\nkeys " << cfg.keys_dir.string() << "\nlogs "
                  << cfg.log_dir.string() << "\ntime zone " << cfg.time_zone << "\n";
        Table t({"service", "request", "publish", "binds"});
        for (const auto& [n, e] : cfg.services) t.add({n, e.request, e.publish, e.bind_request + " " + e.bind_publish});
        t.print(std::cout, 60);
      }
      return 0;
    }
    if (*up || *keys_init || *user_add || *user_list) {
      Config cfg = load_config_or_throw(g.config_flag);
      KeyPaths paths{cfg.keys_dir};
      if (*keys_init || *up) {
        auto made = init_keys(paths, configured_services(cfg));
        for (const auto& m : made) std::cerr << "cq: created " << m << "\n";
      }
      if (*keys_init) {
        std::cout << "keys ready in " << cfg.keys_dir.string() << "\n";
        return 0;
      }
      if (*user_add) {
        KeyRegistry reg(paths.registry());
        auto k = generate_curve_keys();
        auto r = reg.add_user(new_user, new_role, k.public_key);
        if (!r) {
          std::cerr << "cq: " << r.error().message << "\n";
          return kExitUsage;
        }
        save_curve_keys(paths.user(new_user), k, "CURVE key pair of user " + new_user + " (role " + new_role + ")");
        std::cout << (*r ? "replaced" : "added") << " user " << new_user << " (role " << new_role << ")\n"
                  << "secret key: " << paths.user(new_user).string() << "  (give it to that person only)\n"
                  << "use it with: cq --as " << new_user << " ...   or   CQ_KEY_FILE=<file> cq ...\n";
        return 0;
      }
      if (*user_list) {
        KeyRegistry reg(paths.registry());
        Doc out = Doc::array();
        Table t({"user", "role"});
        for (const auto& u : reg.users()) {
          out.push_back({{"name", u.name}, {"role", u.role}});
          t.add({u.name, u.role});
        }
        if (g.json) print_json(out);
        else t.print(std::cout);
        return 0;
      }
      std::vector<SupervisedService> svcs;
      fs::path cfg_file = cfg.file;
      for (const auto& n : configured_services(cfg)) {
        if (!only.empty() && std::find(only.begin(), only.end(), n) == only.end()) continue;
        fs::path bin = self_dir() / ("cq-" + n);
        if (!fs::exists(bin)) {
          std::cerr << "cq up: no binary for " << n << " (" << bin.string() << "); skipping\n";
          continue;
        }
        svcs.push_back({n, bin, {"--config", cfg_file.string()}});
      }
      if (svcs.empty()) throw UsageError("no service to start");
      return supervise(svcs, false);
    }

    Session s(g);
    if (*ping) {
      Doc out = Doc::object();
      for (const auto& n : configured_services(s.config())) {
        auto r = s.call(n, "ping", Doc::object());
        if (r) out[n] = *r;
        if (r && !g.json) std::cout << n << ": ok (you are " << str(*r, "user") << ", role " << str(*r, "role") << "; " << str(*r, "last_event") << " events)\n";
      }
      if (g.json) print_json(out);
    } else if (*submit) {
      if (auto r = s.call("intake", "report.submit", submit_body(sa))) g.json ? print_json(*r) : print_saved(*r);
    } else if (*imp) {
      return run_import(s, import_file, import_batch, g.json);
    } else if (*show) {
      auto r = s.call("intake", "report.get", Doc{{"case_no", show_case}});
      if (!r) return s.exit_code();
      if (with_identity) {
        if (purpose.empty()) throw UsageError("--identity needs --purpose: reading an identity is audited with its reason");
        auto id = s.call("intake", "report.identity", Doc{{"case_no", show_case}, {"purpose", purpose}});
        if (!id) return s.exit_code();
        (*r)["reporter"]["identity"] = (*id)["identity"];
      }
      if (g.json) print_json(*r);
      else {
        print_report(*r);
        if (with_identity) std::cout << "identity      " << (*r)["reporter"]["identity"].dump() << "   (this read is audited)\n";
      }
    } else if (*status) {
      if (auto r = s.call("intake", "report.status", Doc{{"query_code", query_code}})) {
        if (g.json) print_json(*r);
        else {
          std::cout << "status        " << str(*r, "status_label") << "\n"
                    << "received on   " << str(*r, "received_on") << "\n"
                    << "registered on " << str(*r, "registered_on") << "\n";
          if (r->contains("acceptance_notice_due")) std::cout << "notice due    " << str(*r, "acceptance_notice_due") << "\n";
        }
      }
    } else if (*list) {
      Doc body{{"limit", limit}};
      if (!f_channel.empty()) body["channel"] = f_channel;
      if (!f_category.empty()) body["category"] = f_category;
      if (!f_region.empty()) body["region"] = f_region;
      if (!f_status.empty()) body["status"] = f_status;
      if (f_real) body["real_name"] = true;
      if (f_anon) body["real_name"] = false;
      if (!f_from.empty()) body["from"] = f_from;
      if (!f_to.empty()) body["to"] = f_to;
      if (cursor) body["cursor"] = cursor;
      Doc all = Doc::array();
      Doc next = nullptr;
      while (true) {
        auto r = s.call("intake", "report.list", body);
        if (!r) return s.exit_code();
        for (auto& it : (*r)["items"]) all.push_back(it);
        next = (*r)["next_cursor"];
        if (!all_pages || next.is_null()) break;
        body["cursor"] = next;
      }
      if (g.json) print_json({{"items", all}, {"next_cursor", next}});
      else {
        Table t({"case", "received", "channel", "category", "region", "accused", "status", "summary"});
        for (const auto& it : all) {
          std::string names;
          for (const auto& n : it["accused"]) names += (names.empty() ? "" : "、") + n.get<std::string>();
          t.add({str(it, "case_no"), str(it, "received_at").substr(0, 16), str(it, "channel"), str(it, "category"),
                 str(it, "region"), names, str(it, "status") + (it["duplicate_of"].is_null() ? "" : " → " + str(it, "duplicate_of")),
                 str(it, "summary")});
        }
        t.print(std::cout, 30);
        std::cout << all.size() << " report(s)";
        if (!next.is_null()) std::cout << "; more with --cursor " << next.dump();
        std::cout << "\n";
      }
    } else if (*triage_queue) {
      Doc body{{"limit", t_limit}};
      if (!t_region.empty()) body["region"] = t_region;
      if (!t_class.empty()) body["class"] = t_class;
      if (auto r = s.call("triage", "triage.queue", body)) {
        if (g.json) print_json(*r);
        else {
          Table t({"case", "received", "region", "category", "suggestion", "score", "due", ""});
          for (const auto& it : (*r)["items"]) {
            char score[16];
            std::snprintf(score, sizeof score, "%.2f", it["score"].get<double>());
            t.add({str(it, "case_no"), str(it, "received_at").substr(0, 16), str(it, "region"), str(it, "category"),
                   str(it, "class"), score, str(it, "triage_due"), it["overdue"].get<bool>() ? "OVERDUE" : ""});
          }
          t.print(std::cout);
          std::cout << (*r)["items"].size() << " open report(s)\n";
        }
      }
    } else if (*triage_show) {
      if (auto r = s.call("triage", "triage.show", Doc{{"case_no", t_case}})) {
        if (g.json) print_json(*r);
        else {
          const Doc& sg = (*r)["suggestion"];
          std::cout << "case number   " << str(*r, "case_no") << "\n"
                    << "received      " << str(*r, "received_at") << "\n"
                    << "summary       " << str(*r, "summary") << "\n"
                    << "triage due    " << str(*r, "triage_due") << ((*r)["overdue"].get<bool>() ? "  OVERDUE" : "") << "\n";
          char score[16];
          std::snprintf(score, sizeof score, "%.2f", sg["score"].get<double>());
          std::cout << "suggestion    " << str(sg, "class") << " (score " << score << ": the weights of its rules below)\n"
                    << "              a suggestion, not a verdict: an officer decides\n\n";
          Table t({"rule", "pushes toward", "weight", "reason"});
          for (const auto& f : sg["fired"]) {
            char w[16];
            std::snprintf(w, sizeof w, "%.2f", f["weight"].get<double>());
            t.add({str(f, "rule"), str(f, "class"), w, str(f, "reason_zh") + " / " + str(f, "reason_en")});
          }
          t.print(std::cout, 80);
        }
      }
    } else if (*triage_rerun) {
      if (auto r = s.call("triage", "triage.rerun", Doc::object())) {
        if (g.json) print_json(*r);
        else std::cout << "re-scored " << (*r)["rescored"] << " open report(s) with " << (*r)["rules"] << " rules; "
                       << (*r)["changed"] << " suggestion(s) changed\n";
      }
    } else if (*notice_add) {
      Doc body{{"name", n_name}, {"unit", n_unit}, {"kind", n_kind}, {"from", n_from}, {"to", n_to}, {"note", n_note}};
      if (auto r = s.call("triage", "notice.add", body))
        std::cout << "recorded " << str(*r, "kind") << " period " << str(*r, "from") << ".." << str(*r, "to") << " for " << str(*r, "accused") << "\n";
    } else if (*dispute_add) {
      Doc rep = Doc::object();
      if (!d_id.empty()) rep["id_number"] = d_id;
      if (!d_phone.empty()) rep["phone"] = d_phone;
      Doc body{{"reporter", rep}, {"name", d_name}, {"unit", d_unit}, {"note", d_note}};
      if (auto r = s.call("triage", "dispute.add", body))
        std::cout << "recorded a dispute with " << str(*r, "accused") << " (reporter kept as a keyed hash only)\n";
    } else if (*triage_decide) {
      Doc body{{"case_no", dc_case}, {"disposal", dc_disposal}};
      if (!dc_class.empty()) body["class"] = dc_class;
      if (!dc_reason.empty()) body["reason"] = dc_reason;
      if (!dc_forward.empty()) body["forward_to"] = dc_forward;
      if (auto r = s.call("triage", "triage.decide", body))
        std::cout << dc_case << ": " << str(*r, "class") << (r->value("overridden", false) ? " (overriding " + str(*r, "suggested") + ")" : " (suggestion confirmed)")
                  << ", " << str(*r, "disposal") << " → " << str(*r, "state") << "\n";
    } else if (*conclude) {
      std::string kind = cc_kind;
      std::replace(kind.begin(), kind.end(), '-', '_');
      Doc body{{"case_no", cc_case}, {"kind", kind}, {"summary", cc_summary}};
      if (!cc_finding.empty()) body["fabrication_finding"] = cc_finding;
      if (auto r = s.call("triage", "conclusion.add", body)) {
        std::cout << cc_case << ": " << str(*r, "kind") << " (" << str(*r, "status") << ")\n";
        if (!str(*r, "note").empty()) std::cout << str(*r, "note") << "\n";
      }
    } else if (*c_approve || *c_reject) {
      if (auto r = s.call("triage", "conclusion.approve", Doc{{"case_no", cc_case}, {"approve", bool(*c_approve)}, {"reason", cc_reason}}))
        std::cout << cc_case << ": conclusion " << str(*r, "status") << "\n";
    } else if (*c_revise) {
      std::string kind = cc_kind;
      std::replace(kind.begin(), kind.end(), '-', '_');
      Doc body{{"case_no", cc_case}, {"kind", kind}, {"summary", cc_summary}, {"reason", cc_reason}};
      if (!cc_finding.empty()) body["fabrication_finding"] = cc_finding;
      if (auto r = s.call("triage", "conclusion.revise", body))
        std::cout << cc_case << ": " << str(*r, "from") << " → " << str(*r, "kind") << " (" << str(*r, "status") << ")\n";
    } else if (*overdue) {
      if (auto r = s.call("triage", "triage.overdue", Doc{{"within_days", od_within}})) {
        if (g.json) print_json(*r);
        else {
          Table t({"case", "what", "due", "late (working days)", "held by"});
          for (const auto& it : (*r)["items"])
            t.add({str(it, "case_no"), str(it, "what"), str(it, "due"),
                   it["overdue"].get<bool>() ? "LATE " + str(it, "working_days_late") : "due soon", str(it, "held_by")});
          t.print(std::cout, 50);
          std::cout << (*r)["items"].size() << " item(s) late or due by " << str(*r, "until") << "\n";
        }
      }
    } else if (*notified) {
      if (nf_acceptance == nf_conclusion) throw UsageError("say which: --acceptance or --conclusion");
      if (auto r = s.call("triage", "report.notified", Doc{{"case_no", nf_case}, {"what", nf_acceptance ? "acceptance" : "conclusion"}}))
        std::cout << nf_case << ": reporter told (" << str(*r, "notified") << ")\n";
    } else if (weekly.chosen()) {
      weekly.run(s);
    } else if (clarify.chosen()) {
      clarify.run(s);
    } else if (accusers.chosen()) {
      accusers.run(s);
    } else if (*audit_verify) {
      if (auto r = s.call(audit_service, "audit.verify", Doc::object())) {
        if (g.json) print_json(*r);
        else std::cout << audit_service << ": audit trail intact, " << (*r)["rows"].get<int64_t>() << " rows\n";
      }
    } else if (*audit_list) {
      if (auto r = s.call(audit_service, "audit.list", Doc::object())) {
        if (g.json) print_json((*r)["rows"]);
        else {
          Table t({"#", "at", "user", "role", "action", "subject", "purpose"});
          for (const auto& row : (*r)["rows"])
            t.add({str(row, "seq"), str(row, "at"), str(row, "user"), str(row, "role"), str(row, "action"), str(row, "subject"), str(row, "purpose")});
          t.print(std::cout, 40);
        }
      }
    }
    return s.exit_code();
  } catch (const UsageError& e) {
    std::cerr << "cq: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "cq: " << e.what() << "\n";
    return kExitUsage;
  }
}
