#include "cq/consumer.h"

#include <spdlog/spdlog.h>

namespace cq {

Consumer::Consumer(zmq::context_t& ctx, Store& store, std::string source, Client::Options fetch,
                   std::string publish_endpoint, Apply apply)
    : store_(store),
      source_(std::move(source)),
      client_(ctx, fetch),
      sub_(ctx, zmq::socket_type::sub),
      apply_(std::move(apply)) {
  store_.db().exec(
      "CREATE TABLE IF NOT EXISTS cursors(source TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
  make_curve_client(sub_, fetch.keys, fetch.server_public);
  sub_.set(zmq::sockopt::linger, 0);
  sub_.set(zmq::sockopt::subscribe, source_);
  sub_.connect(publish_endpoint);
}

void Consumer::drain_announcements() {
  zmq::message_t m;
  while (sub_.recv(m, zmq::recv_flags::dontwait)) {
  }
}

int64_t Consumer::cursor() {
  auto& st = store_.stmt("SELECT seq FROM cursors WHERE source = ?");
  st.bind(1, source_);
  return st.executeStep() ? st.getColumn(0).getInt64() : 0;
}

Result<int> Consumer::pump(int max_pages) {
  int applied = 0;
  for (int page = 0; page < max_pages; ++page) {
    int64_t after = cursor();
    auto r = client_.call("events.fetch", Doc{{"after", after}, {"limit", 1000}});
    if (!r) return r.error();
    if (!r->ok) return r->error();
    Doc& events = r->body["events"];
    if (!events.is_array() || events.empty()) break;
    WriteTx tx(store_);
    int64_t last = after;
    for (auto& d : events) {
      auto e = Event::from_doc(std::move(d));
      if (!e) return e.error();
      if (e->seq <= last) continue;  // never go backwards
      apply_(*e);
      last = e->seq;
      ++applied;
    }
    auto& st = store_.stmt("INSERT INTO cursors(source, seq) VALUES(?, ?) ON CONFLICT(source) DO UPDATE SET seq = excluded.seq");
    st.bind(1, source_);
    st.bind(2, last);
    st.exec();
    tx.commit();
    if (!r->body.value("more", false)) break;
  }
  return applied;
}

}  // namespace cq
