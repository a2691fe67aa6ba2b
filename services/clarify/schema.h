// Clarify's tables. migrations[i] brings the schema to version i+1.
#pragma once

#include <string>
#include <vector>

namespace cq::clarify {

inline const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"SQL(
-- One clarification case per (report, accused official), opened when the
-- report is concluded untrue or unproven.
CREATE TABLE cases(
  id            INTEGER PRIMARY KEY,
  number        TEXT NOT NULL UNIQUE,    -- CL2026-00001
  case_no       TEXT NOT NULL,           -- the report
  official_idx  INTEGER NOT NULL,        -- the official's place in the report's accused list
  official      TEXT NOT NULL,
  unit          TEXT NOT NULL,
  post          TEXT NOT NULL,
  region        TEXT NOT NULL,
  conclusion    TEXT NOT NULL,           -- untrue | no_evidence
  summary       TEXT NOT NULL,
  opened_at     INTEGER NOT NULL,
  due           TEXT NOT NULL,           -- YYYY-MM-DD: the briefing is due by then
  state         TEXT NOT NULL,           -- awaiting_consent | to_schedule | scheduled | held | closed
  outcome       TEXT,                    -- clarified | declined | withdrawn
  follow_up_due TEXT,
  updated_at    INTEGER NOT NULL,
  UNIQUE(case_no, official_idx)
);
CREATE INDEX cases_state ON cases(state, due);
-- Briefings of a case; a cancelled one stays, and a reschedule keeps its
-- UID (for calendars) and bumps its sequence.
CREATE TABLE briefings(
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases(id),
  uid         TEXT NOT NULL UNIQUE,
  state       TEXT NOT NULL,             -- scheduled | held | cancelled
  type        TEXT NOT NULL,
  scope       TEXT NOT NULL,
  day         TEXT NOT NULL,
  start       TEXT NOT NULL,             -- HH:MM local
  end         TEXT NOT NULL,
  venue       TEXT NOT NULL,
  venue_key   TEXT NOT NULL,
  host        TEXT NOT NULL,
  presenter   TEXT NOT NULL,
  presenter_key TEXT NOT NULL,
  expected    INTEGER NOT NULL,
  late_reason TEXT,
  sequence    INTEGER NOT NULL DEFAULT 0,
  attendees   INTEGER,
  record      TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX briefings_day ON briefings(day, state);
CREATE INDEX briefings_case ON briefings(case_id);
CREATE TABLE history(
  id      INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at      INTEGER NOT NULL,
  by      TEXT NOT NULL,
  what    TEXT NOT NULL,
  detail  TEXT NOT NULL,
  reason  TEXT NOT NULL
);
CREATE INDEX history_case ON history(case_id, id);
CREATE TABLE applied(conclusion_id INTEGER PRIMARY KEY);
)SQL",
  };
  return m;
}

}  // namespace cq::clarify
