// The consuming side of the event contract: fetch "events after N" from a
// source service, apply each event and store N in the same transaction as
// the effects. A PUB announcement wakes it; a timer polls anyway, so a lost
// announcement only delays. Applying an event twice must change nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "cq/outbox.h"
#include "cq/store.h"
#include "cq/transport.h"

namespace cq {

class Consumer {
 public:
  // Called inside the consumer's write transaction; throw to abort the page.
  using Apply = std::function<void(const Event&)>;

  Consumer(zmq::context_t& ctx, Store& store, std::string source, Client::Options fetch,
           std::string publish_endpoint, Apply apply);
  // The SUB socket, for a poll loop; call drain_announcements() when readable.
  zmq::socket_t& sub() { return sub_; }
  void drain_announcements();
  // Fetches and applies pages until caught up or max_pages. Returns the
  // number of events applied, or the fetch error.
  Result<int> pump(int max_pages = 20);
  int64_t cursor();
  const std::string& source() const { return source_; }

 private:
  Store& store_;
  std::string source_;
  Client client_;
  zmq::socket_t sub_;
  Apply apply_;
};

}  // namespace cq
