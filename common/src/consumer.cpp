#include "cq/consumer.h"

#include <pthread.h>

#include <atomic>
#include <spdlog/spdlog.h>

namespace cq {

namespace {
constexpr std::size_t kPagesAhead = 2;
constexpr int kPageSize = 1000;
std::atomic<int> g_consumer_n{0};
}  // namespace

Consumer::Consumer(zmq::context_t& ctx, Store& store, std::string source, Client::Options fetch,
                   std::string publish_endpoint, Apply apply, Flush flush)
    : store_(store),
      source_(std::move(source)),
      fetch_opts_(std::move(fetch)),
      ctx_(ctx),
      sub_(ctx, zmq::socket_type::sub),
      ready_rx_(ctx, zmq::socket_type::pull),
      ready_tx_(ctx, zmq::socket_type::push),
      apply_(std::move(apply)),
      flush_(std::move(flush)) {
  store_.db().exec(
      "CREATE TABLE IF NOT EXISTS cursors(source TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
  make_curve_client(sub_, fetch_opts_.keys, fetch_opts_.server_public);
  sub_.set(zmq::sockopt::linger, 0);
  sub_.set(zmq::sockopt::subscribe, source_);
  sub_.connect(publish_endpoint);
  ready_endpoint_ = "inproc://cq-consumer-" + std::to_string(++g_consumer_n);
  ready_rx_.set(zmq::sockopt::linger, 0);
  ready_tx_.set(zmq::sockopt::linger, 0);
  ready_rx_.bind(ready_endpoint_);
  ready_tx_.connect(ready_endpoint_);
  next_after_ = cursor();
  fetcher_ = std::thread([this] { fetch_loop(); });
}

Consumer::~Consumer() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  fetcher_.join();
}

void Consumer::drain_announcements() {
  zmq::message_t m;
  while (sub_.recv(m, zmq::recv_flags::dontwait)) {
  }
  kick();
}

void Consumer::kick() {
  {
    std::lock_guard lk(mu_);
    wanted_ = true;
  }
  cv_.notify_all();
}

int64_t Consumer::cursor() {
  auto& st = store_.stmt("SELECT seq FROM cursors WHERE source = ?");
  st.bind(1, source_);
  int64_t seq = st.executeStep() ? st.getColumn(0).getInt64() : 0;
  st.reset();
  return seq;
}

// One events.fetch, waiting in short slices so that a stop is not held up
// by a source that does not answer.
Result<Consumer::Page> Consumer::fetch(int64_t after) {
  auto& client = client_;
  if (!client) client = std::make_unique<Client>(ctx_, fetch_opts_);
  std::string id = client->send("events.fetch", Doc{{"after", after}, {"limit", kPageSize}});
  auto deadline = std::chrono::steady_clock::now() + fetch_opts_.timeout;
  while (true) {
    {
      std::lock_guard lk(mu_);
      if (stop_) return Error::make(code::kUnavailable, "stopping");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      bool refused = client->auth_refused();
      client = std::make_unique<Client>(ctx_, fetch_opts_);  // a fresh socket for the next try
      if (refused)
        return Error::make(code::kUnauthenticated, "the " + source_ + " service at " + fetch_opts_.endpoint +
                                                       " refused this service's key");
      return Error::make(code::kUnavailable, "no answer from " + source_ + " at " + fetch_opts_.endpoint +
                                                 " within " + std::to_string(fetch_opts_.timeout.count()) + " ms");
    }
    auto got = client->receive(std::chrono::milliseconds(100));
    if (!got || got->first != id) continue;
    Reply& r = got->second;
    if (!r.ok) return r.error();
    Page page;
    page.after = after;
    if (auto h = r.body.find("last_seq"); h != r.body.end() && h->is_number_integer()) head_ = h->get<int64_t>();
    Doc& events = r.body["events"];
    if (!events.is_array()) return Error::make(code::kInternal, source_ + " sent a page without events");
    page.events.reserve(events.size());
    int64_t last = after;
    for (auto& d : events) {
      auto e = Event::from_doc(std::move(d));
      if (!e) return e.error();
      if (e->seq <= last) continue;  // never go backwards
      last = e->seq;
      page.events.push_back(std::move(*e));
    }
    return page;
  }
}

void Consumer::fetch_loop() {
  pthread_setname_np(pthread_self(), ("fetch " + source_).substr(0, 15).c_str());
  while (true) {
    int64_t after;
    uint64_t generation;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || (wanted_ && pages_.size() < kPagesAhead); });
      if (stop_) return;
      after = next_after_;
      generation = generation_;
      busy_ = true;
    }
    auto page = fetch(after);
    {
      std::lock_guard lk(mu_);
      busy_ = false;
      if (stop_) return;
      if (generation != generation_) continue;  // the store thread restarted us meanwhile
      if (!page) {
        error_ = page.error();
        wanted_ = false;  // until the next announcement or poll
      } else if (page->events.empty()) {
        wanted_ = false;  // caught up
      } else {
        next_after_ = page->events.back().seq;
        page->generation = generation;
        pages_.push_back(std::move(*page));
      }
    }
    (void)ready_tx_.send(zmq::str_buffer("."), zmq::send_flags::dontwait);
  }
}

void Consumer::restart_from(int64_t cursor) {
  {
    std::lock_guard lk(mu_);
    pages_.clear();
    ++generation_;
    next_after_ = cursor;
    wanted_ = true;
  }
  cv_.notify_all();
}

Result<int> Consumer::pump(int max_pages) {
  zmq::message_t m;
  while (ready_rx_.recv(m, zmq::recv_flags::dontwait)) {
  }
  int applied = 0;
  for (int n = 0; n < max_pages; ++n) {
    Page page;
    {
      std::lock_guard lk(mu_);
      if (error_) {
        Error e = std::move(*error_);
        error_.reset();
        if (applied == 0) return e;
        break;
      }
      if (pages_.empty()) break;
      page = std::move(pages_.front());
      pages_.pop_front();
    }
    cv_.notify_all();  // room for another page
    int64_t at = cursor();
    if (page.after != at) {  // out of step with what is stored: fetch again from there
      restart_from(at);
      break;
    }
    try {
      WriteTx tx(store_);
      for (const auto& e : page.events) {
        apply_(e);
        ++applied;
      }
      if (flush_) flush_(true);
      auto& st = store_.stmt(
          "INSERT INTO cursors(source, seq) VALUES(?, ?) ON CONFLICT(source) DO UPDATE SET seq = excluded.seq");
      st.bind(1, source_);
      st.bind(2, page.events.back().seq);
      st.exec();
      tx.commit();
    } catch (...) {
      if (flush_) flush_(false);
      restart_from(at);  // the page is retried from the stored cursor
      throw;
    }
  }
  return applied;
}

bool Consumer::pending() {
  std::lock_guard lk(mu_);
  return !pages_.empty() || error_.has_value();
}

Result<int> Consumer::catch_up(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  kick();
  int total = 0;
  while (true) {
    auto r = pump();
    if (!r) return r.error();
    total += *r;
    {
      std::lock_guard lk(mu_);
      if (!wanted_ && !busy_ && pages_.empty() && !error_) return total;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return Error::make(code::kUnavailable, "not caught up with " + source_ + " within " +
                                                 std::to_string(timeout.count()) + " ms");
    zmq::pollitem_t items[] = {{static_cast<void*>(ready_rx_), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 1, std::chrono::milliseconds(50));
  }
}

}  // namespace cq
