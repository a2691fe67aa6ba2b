#include "accusers.h"

#include <iostream>

#include "table.h"

namespace cq::cli {

namespace {
std::string joined(const Doc& arr) {
  std::string out;
  if (arr.is_array())
    for (const auto& x : arr) out += (out.empty() ? "" : ", ") + (x.is_string() ? x.get<std::string>() : x.dump());
  return out;
}
void print_record_line(const Doc& d) {
  std::cout << text_of(d, "number") << ": " << text_of(d, "state") << (d.value("repeat", false) ? "  REPEAT OFFENDER 多次诬告" : "")
            << "\n";
}
void print_notice(const Doc& n) {
  std::cout << "notice        " << text_of(n, "notice") << " (" << text_of(n, "state") << ")"
            << (n.contains("record") ? "  record " + text_of(n, "record") : "") << "\n"
            << "region        " << joined(n["regions"]) << "\n"
            << "month         " << text_of(n, "month") << "\n"
            << "action        " << text_of(n, "action_label") << (n.value("repeat", false) ? "  (repeat offender)" : "")
            << "\n\n"
            << text_of(n, "text_zh") << "\n" << text_of(n, "text_en") << "\n";
}
}  // namespace

AccusersCommand::AccusersCommand(CLI::App& app, Globals& g) : g_(g) {
  cmd_ = app.add_subcommand("accusers", "the false-accuser registry (查处诬告陷害): records, due process, typical cases");
  cmd_->require_subcommand(1);
  list_ = cmd_->add_subcommand("list", "records by state (flagged first), repeat offenders marked");
  list_->add_option("--state", state_, "flagged | under_review | action_decided | closed | cleared");
  list_->add_flag("--repeat", repeat_, "only repeat offenders (two or more findings)");
  show_ = cmd_->add_subcommand("show", "one record: findings, steps and notices (no identity unless --identity)");
  show_->add_option("record", number_, "record number (WG…)")->required();
  show_->add_flag("--identity", identity_, "also decrypt the accuser's identity (accuser case officers; audited)");
  show_->add_option("--purpose", purpose_, "why the identity is read (required with --identity)");
  review_ = cmd_->add_subcommand("review", "open the review of a flagged record (accuser case officers)");
  act_ = cmd_->add_subcommand("act", "decide the action on a record under review (accuser case officers)");
  act_->add_option("--action", action_, "a configured action code (criticism, admonishment, discipline, police, …)")->required();
  close_ = cmd_->add_subcommand("close", "close a record once its action is carried out (accuser case officers)");
  for (auto* c : {review_, act_, close_}) {
    c->add_option("record", number_, "record number (WG…)")->required();
    c->add_option("--reason", reason_, "why (required)")->required();
  }
  publish_ = cmd_->add_subcommand("publish", "prepare an anonymised typical-case notice for a supervisor to approve");
  publish_->add_option("record", number_, "record number (WG…)")->required();
  notices_ = cmd_->add_subcommand("notices", "typical-case notices and their state");
  notices_->add_option("--state", state_, "proposed | approved | rejected");
  approve_ = cmd_->add_subcommand("approve", "approve a proposed notice for publication (supervisors)");
  reject_ = cmd_->add_subcommand("reject", "send a proposed notice back (supervisors)");
  for (auto* c : {approve_, reject_}) {
    c->add_option("notice", notice_, "notice number (TB…)")->required();
    c->add_option("--reason", reason_, "why (required)")->required();
  }
  for (auto* c : {list_, show_, review_, act_, close_, publish_, notices_, approve_, reject_})
    c->add_flag("--json", g_.json, "JSON output");
}

void AccusersCommand::run(Session& s) {
  if (list_->parsed()) {
    Doc body = Doc::object();
    if (!state_.empty()) body["state"] = state_;
    if (repeat_) body["repeat"] = true;
    auto r = s.call("registry", "accuser.list", body);
    if (!r) return;
    if (g_.json) {
      std::cout << r->dump(2) << "\n";
      return;
    }
    Table t({"record", "state", "findings", "repeat", "regions", "action", "updated"});
    for (const auto& it : (*r)["items"])
      t.add({text_of(it, "number"), text_of(it, "state"), text_of(it, "findings"), it.value("repeat", false) ? "REPEAT" : "",
             joined(it["regions"]), text_of(it, "action"), text_of(it, "updated_at").substr(0, 16)});
    t.print(std::cout);
    std::cout << (*r)["items"].size() << " record(s)\n";
  } else if (show_->parsed()) {
    std::optional<Doc> r;
    if (identity_) {
      if (purpose_.empty()) throw UsageError("--identity needs --purpose: say why the identity is read (it is audited)");
      auto id = s.call("registry", "accuser.identity", Doc{{"number", number_}, {"purpose", purpose_}});
      if (!id) return;
      r = s.call("registry", "accuser.show", Doc{{"number", number_}});
      if (r) (*r)["identity"] = (*id)["identity"];
    } else {
      r = s.call("registry", "accuser.show", Doc{{"number", number_}});
    }
    if (!r) return;
    if (g_.json) {
      std::cout << r->dump(2) << "\n";
      return;
    }
    print_record_line(*r);
    if (r->contains("action_label")) std::cout << "action: " << text_of(*r, "action_label") << "\n";
    if (identity_) {
      std::cout << "identity (read audited): ";
      const Doc& who = (*r)["identity"];
      if (who.is_object())
        for (const auto& [k, v] : who.items()) std::cout << k << "=" << (v.is_string() ? v.get<std::string>() : v.dump()) << " ";
      else std::cout << "none on file";
      std::cout << "\n";
    }
    std::cout << "\nfindings\n";
    Table f({"case", "region", "category", "concluded", "standing", "fabrication finding / removal"});
    for (const auto& x : (*r)["finding_list"])
      f.add({text_of(x, "case_no"), text_of(x, "region_name"), text_of(x, "category_name"), text_of(x, "concluded_at").substr(0, 10),
             x.value("active", false) ? "yes" : "REMOVED", x.value("active", false) ? text_of(x, "fabrication_finding")
                                                                                 : text_of(x, "removed_reason")});
    f.print(std::cout, 50);
    std::cout << "\nhistory\n";
    Table h({"at", "by", "state", "what", "reason"});
    for (const auto& x : (*r)["history"])
      h.add({text_of(x, "at").substr(0, 16), text_of(x, "by"), (x["from"] == "" || x["from"] == x["to"] ? "" : text_of(x, "from") + " → ") + text_of(x, "to"),
             text_of(x, "what"), text_of(x, "reason")});
    h.print(std::cout, 50);
  } else if (review_->parsed() || act_->parsed() || close_->parsed()) {
    Doc body{{"number", number_}, {"reason", reason_}};
    const char* type = review_->parsed() ? "accuser.review" : close_->parsed() ? "accuser.close" : "accuser.act";
    if (act_->parsed()) body["action"] = action_;
    if (auto r = s.call("registry", type, body)) {
      if (g_.json) std::cout << r->dump(2) << "\n";
      else print_record_line(*r);
    }
  } else if (publish_->parsed()) {
    if (auto r = s.call("registry", "accuser.publish", Doc{{"number", number_}})) {
      if (g_.json) std::cout << r->dump(2) << "\n";
      else {
        print_notice(*r);
        std::cout << "\nawaits a supervisor: cq accusers approve " << text_of(*r, "notice") << " --reason …\n";
      }
    }
  } else if (notices_->parsed()) {
    Doc body = Doc::object();
    if (!state_.empty()) body["state"] = state_;
    if (auto r = s.call("registry", "accuser.notices", body)) {
      if (g_.json) std::cout << r->dump(2) << "\n";
      else {
        Table t({"notice", "record", "state", "region", "month", "action", "prepared by"});
        for (const auto& n : (*r)["items"])
          t.add({text_of(n, "notice"), text_of(n, "record"), text_of(n, "state"), joined(n["regions"]), text_of(n, "month"),
                 text_of(n, "action_label"), text_of(n, "prepared_by")});
        t.print(std::cout);
      }
    }
  } else if (approve_->parsed() || reject_->parsed()) {
    if (auto r = s.call("registry", "accuser.notice.decide",
                        Doc{{"notice", notice_}, {"approve", approve_->parsed()}, {"reason", reason_}})) {
      if (g_.json) std::cout << r->dump(2) << "\n";
      else std::cout << notice_ << ": " << text_of(*r, "state") << "\n";
    }
  }
}

}  // namespace cq::cli
