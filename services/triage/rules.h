// Triage rules: configuration, not code. Each rule names a predicate from a
// fixed vocabulary (documented in config/chengqing.toml), an optional
// parameter, a weight and the class it pushes toward. A suggestion is the
// class whose fired rules reach its threshold, in the order repeat,
// not_ours, suspected_malicious, verifiable, else vague; its score is the
// sum of the weights of the fired rules of that class. Every fired rule is
// shown with its weight and reason. The suggestion is a sign, never a verdict.
#pragma once

#include <string>
#include <vector>

#include "cq/codec.h"
#include "cq/config.h"
#include "cq/error.h"
#include "extract.h"

namespace cq::triage {

inline const std::vector<std::string>& classes() {
  static const std::vector<std::string> c = {"verifiable", "vague", "suspected_malicious", "not_ours", "repeat"};
  return c;
}

struct Rule {
  std::string id, predicate, klass, reason_zh, reason_en;
  double weight = 0;
  double param = 0;
};

struct RuleSet {
  std::vector<Rule> rules;
  double threshold_verifiable = 3, threshold_malicious = 2.5, threshold_not_ours = 1, threshold_repeat = 1;
  std::vector<std::string> forward_levels;   // cadre levels handled by the body above
  std::vector<std::string> forward_regions;  // regions outside this office
  // Reads [triage] from the configuration; problems name their key.
  static Result<RuleSet> from_config(const Config& cfg);
};

// The predicates rules may use.
const std::vector<std::string>& predicates();

// Everything a rule may look at: the report as intake's event carries it,
// what its text says, and what is known around it.
struct Facts {
  Doc accused = Doc::array();    // the report's accused officials
  Doc specifics = Doc::object(); // when, where, amount_yuan, witnesses, evidence
  bool real_name = false;
  TextFeatures text;
  bool merged = false;                    // intake linked it to an earlier report
  bool known_false_accuser = false;       // its author has a concluded false-accusation finding
  bool notice_period = false;             // received inside a recorded promotion notice or election period of an accused
  bool known_dispute = false;             // a recorded dispute between author and an accused
  int same_text_copies = 1;               // the same text received this many times (several offices)
  bool repeats_concluded_untrue = false;  // same accused and category already concluded untrue, nothing new
};

// Facts derived from the report alone (text features); context is added by the caller.
Facts facts_from_report(const Doc& report_event);

struct Fired {
  std::string rule, klass, reason_zh, reason_en;
  double weight = 0;
};

struct Suggestion {
  std::string klass;
  double score = 0;
  std::vector<Fired> fired;  // every rule that fired, of any class
  Doc to_doc() const;
  // The fired rules as msgpack (what triage stores): cheaper than to_doc().
  std::string encode_fired() const;
};

Suggestion evaluate(const RuleSet& rules, const Facts& facts);

}  // namespace cq::triage
