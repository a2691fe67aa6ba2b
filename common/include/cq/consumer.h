// The consuming side of the event contract: fetch "events after N" from a
// source service, apply each event and store N in the same transaction as
// the effects. A PUB announcement wakes it; a timer polls anyway, so a lost
// announcement only delays. Applying an event twice must change nothing.
//
// Fetching runs on a thread of its own: while the store thread applies one
// page, the next is already on its way and decoded, so the source's work and
// ours overlap. Only the store thread touches the database.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "cq/outbox.h"
#include "cq/store.h"
#include "cq/transport.h"

namespace cq {

class Consumer {
 public:
  // Called inside the consumer's write transaction; throw to abort the page.
  using Apply = std::function<void(const Event&)>;
  // Called after the last event of a page with true, in the same transaction
  // (for consumers that gather a page's effects and write them once); with
  // false if the page failed, to drop what was gathered.
  using Flush = std::function<void(bool)>;

  Consumer(zmq::context_t& ctx, Store& store, std::string source, Client::Options fetch,
           std::string publish_endpoint, Apply apply, Flush flush = nullptr);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The SUB socket, for a poll loop; call drain_announcements() when readable.
  zmq::socket_t& sub() { return sub_; }
  // Readable when fetched pages wait to be applied; call pump() then.
  zmq::socket_t& ready() { return ready_rx_; }
  // Reads announcements and asks the fetcher for what is new.
  void drain_announcements();
  // Asks the fetcher to look for new events (the poll timer).
  void kick();
  // Applies the pages already fetched, at most max_pages, each in its own
  // transaction with the cursor. Never waits on the network. Returns the
  // number of events applied, or the last fetch error (reported once).
  Result<int> pump(int max_pages = 20);
  // True while fetched pages wait (more than one pump() took).
  bool pending();
  // Fetches and applies until caught up with the source, or the timeout:
  // for tools and tests that want "everything so far" synchronously.
  Result<int> catch_up(std::chrono::milliseconds timeout);
  int64_t cursor();
  // The newest event the source had when it last answered.
  int64_t head() const { return head_; }
  // Starts again from the stored cursor (after the caller rewound it).
  void rewind() { restart_from(cursor()); }
  const std::string& source() const { return source_; }

 private:
  struct Page {
    uint64_t generation = 0;
    int64_t after = 0;
    std::vector<Event> events;
  };
  void fetch_loop();
  Result<Page> fetch(int64_t after);
  void restart_from(int64_t cursor);  // drop what is queued; fetch again from cursor

  Store& store_;
  std::string source_;
  Client::Options fetch_opts_;
  zmq::context_t& ctx_;
  zmq::socket_t sub_;
  zmq::socket_t ready_rx_;
  zmq::socket_t ready_tx_;  // used by the fetcher thread only
  std::string ready_endpoint_;
  std::unique_ptr<Client> client_;  // the fetcher thread's
  Apply apply_;
  Flush flush_;
  std::atomic<int64_t> head_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Page> pages_;
  std::optional<Error> error_;
  int64_t next_after_ = 0;
  uint64_t generation_ = 0;
  bool wanted_ = true;
  bool busy_ = false;  // a fetch is under way
  bool stop_ = false;
  std::thread fetcher_;
};

}  // namespace cq
