// The registry service (查处诬告陷害): one record per author of a concluded
// false accusation, matched by keyed hashes only; due process by accuser
// case officers; audited identity reads through intake; anonymised typical
// cases for a supervisor to approve. Consumes triage's conclusions; emits
// accuser.flagged / accuser.cleared (keyed hashes only, for triage) and the
// steps of each record.
#pragma once

#include <memory>

#include "cq/service.h"

namespace cq::registry {

struct Action {
  std::string code, name_zh, name_en;
};

class Registry {
 public:
  explicit Registry(Service& svc);
  ~Registry();

 private:
  void on_triage_event(const Event& e);
  void add_finding(const Event& e);
  void remove_finding(const Event& e);
  int64_t record_for(const std::vector<std::pair<std::string, std::string>>& keys, Millis at, bool& created);
  void set_state(int64_t id, const std::string& to, const std::string& by, const std::string& what,
                 const std::string& reason);
  void emit_keys(const std::string& type, int64_t id);
  Doc record_doc(int64_t id, bool full);
  std::optional<int64_t> find(const std::string& number);
  // The record a request names in body.number (not_found if none).
  struct Named {
    int64_t id;
    std::string number;
  };
  Result<Named> named(const Doc& body);
  std::string state_of(int64_t id);
  std::string number_of(int64_t id);
  std::string region_of(int64_t id);

  Result<Doc> list(const Request& r);
  Result<Doc> show(const Request& r);
  Result<Doc> identity(const Request& r);
  Result<Doc> step(const Request& r, const std::string& from, const std::string& to, const std::string& what);
  Result<Doc> act(const Request& r);
  Result<Doc> publish(const Request& r);
  Result<Doc> notices(const Request& r);
  Result<Doc> decide_notice(const Request& r);

  Service& svc_;
  std::vector<Action> actions_;
  std::unique_ptr<Client> intake_;  // for identity reads; used on the store thread only
};

// The configured action types ([[registry.actions]]); the defaults when none.
Result<std::vector<Action>> actions_from_config(const Config& cfg);

}  // namespace cq::registry
