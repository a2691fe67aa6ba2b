// The labelled triage set (tests/data/triage_labelled.jsonl), shared by the
// unit tests and the triage benchmark.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "cq/codec.h"

namespace cq::test {

inline std::vector<Doc> labelled_reports() {
  std::vector<Doc> out;
  std::ifstream in(std::string(CQ_SOURCE_DIR) + "/tests/data/triage_labelled.jsonl");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Doc::parse(line));
  return out;
}

// A report.submit body as intake's report.received event carries it (the
// fields triage reads).
inline Doc as_event(const Doc& body) {
  Doc ev{{"channel", body["channel"]},
         {"real_name", !body["reporter"].value("anonymous", true)},
         {"accused", body["accused"]},
         {"category", body["category"]},
         {"summary", body["summary"]},
         {"details", body.value("details", std::string())}};
  if (body.contains("specifics")) ev["specifics"] = body["specifics"];
  return ev;
}

}  // namespace cq::test
