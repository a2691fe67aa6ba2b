// The registry's tables. migrations[i] brings the schema to version i+1.
// No plain identifier of anyone is stored here: a person is known by the
// keyed hashes of their identifiers, and their identity stays sealed in
// intake, read through it on request.
#pragma once

#include <string>
#include <vector>

namespace cq::registry {

inline const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"SQL(
-- One record per person with a false-accusation finding (诬告陷害).
CREATE TABLE accusers(
  id          INTEGER PRIMARY KEY,
  number      TEXT NOT NULL UNIQUE,     -- WG2026-0001: how every view names the record
  state       TEXT NOT NULL,            -- flagged | under_review | action_decided | closed | cleared | merged
  action      TEXT,                     -- the decided action (a configured code)
  merged_into INTEGER REFERENCES accusers(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX accusers_state ON accusers(state);
-- Keyed hashes of the person's identifiers (ID number, phone): how a new
-- finding finds its record.
CREATE TABLE accuser_keys(
  hash       TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  accuser_id INTEGER NOT NULL REFERENCES accusers(id)
);
CREATE INDEX accuser_keys_record ON accuser_keys(accuser_id);
-- Each concluded false accusation, linked once to its author's record.
CREATE TABLE findings(
  id             INTEGER PRIMARY KEY,
  accuser_id     INTEGER NOT NULL REFERENCES accusers(id),
  case_no        TEXT NOT NULL UNIQUE,
  conclusion_id  INTEGER NOT NULL,
  region         TEXT NOT NULL,
  category       TEXT NOT NULL,
  channel        TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  concluded_at   INTEGER NOT NULL,
  concluded_by   TEXT NOT NULL,
  summary        TEXT NOT NULL,
  fabrication    TEXT NOT NULL,
  accused_count  INTEGER NOT NULL,
  active         INTEGER NOT NULL DEFAULT 1,
  removed_at     INTEGER,
  removed_reason TEXT
);
CREATE INDEX findings_record ON findings(accuser_id, active);
-- Every step of a record, never rewritten.
CREATE TABLE history(
  id         INTEGER PRIMARY KEY,
  accuser_id INTEGER NOT NULL REFERENCES accusers(id),
  at         INTEGER NOT NULL,
  by         TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  what       TEXT NOT NULL,
  reason     TEXT NOT NULL
);
CREATE INDEX history_record ON history(accuser_id, id);
-- Anonymised public notices of typical cases (典型案例通报).
CREATE TABLE notices(
  id              INTEGER PRIMARY KEY,
  number          TEXT NOT NULL UNIQUE,  -- TB2026-001
  accuser_id      INTEGER NOT NULL REFERENCES accusers(id),
  state           TEXT NOT NULL,         -- proposed | approved | rejected
  body            TEXT NOT NULL,         -- JSON: the notice as it would be published
  prepared_by     TEXT NOT NULL,
  prepared_at     INTEGER NOT NULL,
  decided_by      TEXT,
  decided_at      INTEGER,
  decision_reason TEXT
);
-- Conclusions already applied (triage's conclusion ids).
CREATE TABLE applied(conclusion_id INTEGER PRIMARY KEY);
)SQL",
  };
  return m;
}

}  // namespace cq::registry
