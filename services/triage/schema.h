// Triage's tables. migrations[i] brings the schema to version i+1.
#pragma once

#include <string>
#include <vector>

namespace cq::triage {

inline const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"SQL(
-- Triage's view of each report, from intake's events (no identity: only
-- keyed hashes of the reporter's identifiers).
CREATE TABLE reports(
  case_no       TEXT PRIMARY KEY,
  received_at   INTEGER NOT NULL,
  channel       TEXT NOT NULL,
  real_name     INTEGER NOT NULL,
  category      TEXT NOT NULL,
  region        TEXT NOT NULL,
  merged        INTEGER NOT NULL,
  text_hash     TEXT,
  event         BLOB NOT NULL,
  state         TEXT NOT NULL,            -- open | decided | concluded
  triage_due    TEXT NOT NULL
);
CREATE INDEX reports_open ON reports(state, received_at);
CREATE INDEX reports_text ON reports(text_hash);

CREATE TABLE report_reporters(case_no TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY(case_no, hash));
CREATE INDEX report_reporters_hash ON report_reporters(hash);
CREATE TABLE report_accused(case_no TEXT NOT NULL, accused TEXT NOT NULL, PRIMARY KEY(case_no, accused));
CREATE INDEX report_accused_key ON report_accused(accused);

-- Exactly one current suggestion per report.
CREATE TABLE suggestions(
  case_no TEXT PRIMARY KEY REFERENCES reports(case_no),
  class   TEXT NOT NULL,
  score   REAL NOT NULL,
  fired   TEXT NOT NULL,                  -- JSON: [{rule, class, weight, reason_zh, reason_en}]
  at      INTEGER NOT NULL,
  reruns  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX suggestions_class ON suggestions(class);

-- Context recorded by staff: promotion notice (任前公示) and election (换届)
-- periods of an official, and known disputes between a reporter and an official.
CREATE TABLE notices(
  id INTEGER PRIMARY KEY, accused TEXT NOT NULL, kind TEXT NOT NULL,
  from_day TEXT NOT NULL, to_day TEXT NOT NULL, note TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX notices_accused ON notices(accused);
CREATE TABLE disputes(
  id INTEGER PRIMARY KEY, reporter_hash TEXT NOT NULL, accused TEXT NOT NULL, note TEXT NOT NULL,
  by TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX disputes_pair ON disputes(reporter_hash, accused);
-- Authors with a concluded false-accusation finding, by keyed hash (from the registry).
CREATE TABLE flagged_reporters(hash TEXT PRIMARY KEY, since INTEGER NOT NULL);
)SQL",
      // 2: officers' decisions, verification conclusions (with approval of a
      // false-accusation finding by a second person) and deadlines.
      R"SQL(
ALTER TABLE reports ADD COLUMN held_by TEXT;            -- the officer who decided it
ALTER TABLE reports ADD COLUMN ack_due TEXT;            -- acceptance notice to a real-name reporter
ALTER TABLE reports ADD COLUMN ack_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN forward_due TEXT;
ALTER TABLE reports ADD COLUMN verification_due TEXT;
ALTER TABLE reports ADD COLUMN feedback_due TEXT;       -- telling a real-name reporter what was found
ALTER TABLE reports ADD COLUMN feedback_done INTEGER NOT NULL DEFAULT 0;
CREATE TABLE decisions(
  id INTEGER PRIMARY KEY, case_no TEXT NOT NULL REFERENCES reports(case_no),
  suggested TEXT NOT NULL, class TEXT NOT NULL, overridden INTEGER NOT NULL, reason TEXT NOT NULL,
  disposal TEXT NOT NULL, forward_to TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL
);
CREATE INDEX decisions_case ON decisions(case_no, id);
CREATE TABLE conclusions(
  id INTEGER PRIMARY KEY, case_no TEXT NOT NULL REFERENCES reports(case_no),
  kind TEXT NOT NULL, summary TEXT NOT NULL, fabrication_finding TEXT NOT NULL,
  status TEXT NOT NULL,                  -- proposed | effective | rejected | superseded
  proposed_by TEXT NOT NULL, proposed_at INTEGER NOT NULL,
  decided_by TEXT, decided_at INTEGER, decision_reason TEXT,
  revises INTEGER, revision_reason TEXT
);
CREATE INDEX conclusions_case ON conclusions(case_no, id);
CREATE INDEX conclusions_status ON conclusions(status);
)SQL",
  };
  return m;
}

}  // namespace cq::triage
