// Stats' tables: counts only, never an identity. migrations[i] brings the
// schema to version i+1.
#pragma once

#include <string>
#include <vector>

namespace cq::stats {

inline const std::vector<std::string>& migrations() {
  static const std::vector<std::string> m = {
      R"SQL(
-- week = ISO year * 100 + ISO week (202647), in the configured time zone.
CREATE TABLE counts(
  week   INTEGER NOT NULL,
  region TEXT NOT NULL,
  metric TEXT NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY(week, region, metric)
) WITHOUT ROWID;
-- Work overdue: +1 from the week its due day falls in, -1 from the week it
-- was done; overdue at the end of week W = the sum up to W.
CREATE TABLE overdue_delta(
  region TEXT NOT NULL,
  kind   TEXT NOT NULL,
  week   INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY(region, kind, week)
) WITHOUT ROWID;
CREATE TABLE rebuilds(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT NOT NULL);
)SQL",
  };
  return m;
}

}  // namespace cq::stats
