// The event outbox: a service writes its state change and the event that
// describes it in the same transaction, numbered by a per-service sequence.
// Consumers fetch "events after N"; PUB only announces that N moved.
#pragma once

#include <string>
#include <vector>

#include "cq/calendar.h"
#include "cq/codec.h"
#include "cq/store.h"

namespace cq {

struct Event {
  int64_t seq = 0;
  std::string type;     // e.g. "report.received"
  Millis at = 0;        // when it was written
  std::string subject;  // e.g. the case number
  Doc data;             // the event's fields (never a reporter identity)

  Doc to_doc() const;
  static Result<Event> from_doc(Doc d);
};

class Outbox {
 public:
  explicit Outbox(Store& s);  // creates its table if missing
  // Appends an event; call inside the write transaction of the state change.
  int64_t append(const std::string& type, const std::string& subject, const Doc& data);
  // The same with data already encoded as a msgpack map.
  int64_t append_encoded(const std::string& type, const std::string& subject, const std::string& data);
  // The same at a given time (histories loaded or generated from elsewhere).
  int64_t append_encoded_at(const std::string& type, const std::string& subject, const std::string& data, Millis at);
  // Events with seq > after, oldest first, at most limit, as the msgpack
  // events.fetch reply body {events, more, last_seq}, each event's stored
  // data spliced in undecoded.
  std::string fetch_encoded(int64_t after, int limit);
  int64_t last();

 private:
  Store& s_;
};

}  // namespace cq
