// Intake's tables. migrations[i] brings the schema to version i+1; never edit
// a released migration, add a new one.
#pragma once

#include <string>
#include <vector>

namespace cq::intake {

inline const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"SQL(
CREATE TABLE reports(
  id            INTEGER PRIMARY KEY,
  case_no       TEXT NOT NULL UNIQUE,
  external_id   TEXT UNIQUE,
  channel       TEXT NOT NULL,
  received_at   INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  registered_by TEXT NOT NULL,
  real_name     INTEGER NOT NULL,
  category      TEXT NOT NULL,
  region        TEXT NOT NULL,
  summary       TEXT NOT NULL,
  details       TEXT NOT NULL,
  specifics     TEXT NOT NULL,
  forwarded_from TEXT NOT NULL DEFAULT '',
  text_hash     TEXT,
  status        TEXT NOT NULL,
  duplicate_of  TEXT,
  duplicate_reason TEXT,
  query_hash    TEXT NOT NULL UNIQUE,
  ack_due       TEXT
);
CREATE INDEX reports_received ON reports(received_at);
CREATE INDEX reports_region ON reports(region, id);
CREATE INDEX reports_text ON reports(text_hash, received_at);
CREATE INDEX reports_dup_of ON reports(duplicate_of);

CREATE TABLE accused(
  report_id   INTEGER NOT NULL REFERENCES reports(id),
  idx         INTEGER NOT NULL,
  name        TEXT NOT NULL,
  unit        TEXT NOT NULL,
  post        TEXT NOT NULL,
  level       TEXT NOT NULL,
  region      TEXT NOT NULL,
  accused_key TEXT NOT NULL,
  PRIMARY KEY(report_id, idx)
);
CREATE INDEX accused_key ON accused(accused_key);

-- The reporter's identity, sealed with the identity key. Never in plain text.
CREATE TABLE reporter_identity(
  report_id INTEGER PRIMARY KEY REFERENCES reports(id),
  sealed    BLOB NOT NULL
);
-- Keyed hashes of normalised identifiers, for "same reporter" matching.
CREATE TABLE reporter_keys(
  report_id INTEGER NOT NULL REFERENCES reports(id),
  kind      TEXT NOT NULL,
  hash      TEXT NOT NULL,
  PRIMARY KEY(report_id, kind)
);
CREATE INDEX reporter_keys_hash ON reporter_keys(hash, report_id);

-- Request ids already answered, so a retried submit returns the same case.
CREATE TABLE submissions(
  user        TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  case_no     TEXT NOT NULL,
  sealed_code BLOB NOT NULL,
  PRIMARY KEY(user, request_id)
);

CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
)SQL",
      // 2: the repeat check reaches a report's accused through the primary
      // key (report_id, idx); an index on the random accused_key only cost
      // a page write per report. Case numbers come from MAX(case_no).
      R"SQL(
DROP INDEX IF EXISTS accused_key;
DROP TABLE IF EXISTS counters;
)SQL",
  };
  return m;
}

}  // namespace cq::intake
