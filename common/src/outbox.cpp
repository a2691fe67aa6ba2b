#include "cq/outbox.h"

#include "cq/msgpack_writer.h"

namespace cq {

Doc Event::to_doc() const {
  return Doc{{"seq", seq}, {"type", type}, {"at", at}, {"subject", subject}, {"data", data}};
}

Result<Event> Event::from_doc(Doc d) {
  if (!d.is_object() || !d.contains("seq") || !d["seq"].is_number_integer() ||
      !d.contains("type") || !d["type"].is_string())
    return Error::make(code::kBadEnvelope, "event without integer seq and string type");
  Event e;
  e.seq = d["seq"].get<int64_t>();
  e.type = d["type"].get<std::string>();
  e.at = d.value("at", int64_t{0});
  e.subject = d.value("subject", std::string());
  e.data = d.contains("data") ? std::move(d["data"]) : Doc::object();
  return e;
}

Outbox::Outbox(Store& s) : s_(s) {
  s_.db().exec(
      "CREATE TABLE IF NOT EXISTS outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL,"
      " at INTEGER NOT NULL, subject TEXT NOT NULL, data BLOB NOT NULL)");
}

int64_t Outbox::append(const std::string& type, const std::string& subject, const Doc& data) {
  return append_encoded(type, subject, encode(data));
}

int64_t Outbox::append_encoded(const std::string& type, const std::string& subject, const std::string& data) {
  return append_encoded_at(type, subject, data, now_ms());
}

int64_t Outbox::append_encoded_at(const std::string& type, const std::string& subject, const std::string& data,
                                  Millis at) {
  auto& st = s_.stmt("INSERT INTO outbox(type, at, subject, data) VALUES(?,?,?,?)");
  st.bindNoCopy(1, type);
  st.bind(2, static_cast<int64_t>(at));
  st.bindNoCopy(3, subject);
  st.bindNoCopy(4, data.data(), static_cast<int>(data.size()));
  st.exec();
  return s_.db().getLastInsertRowid();
}

std::string Outbox::fetch_encoded(int64_t after, int limit) {
  struct Row {
    int64_t seq, at;
    std::string type, subject, data;
  };
  std::vector<Row> rows;
  auto& st = s_.stmt("SELECT seq, type, at, subject, data FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?");
  st.bind(1, static_cast<int64_t>(after));
  st.bind(2, limit + 1);
  while (st.executeStep()) {
    auto c = st.getColumn(4);
    rows.push_back({st.getColumn(0).getInt64(), st.getColumn(2).getInt64(), st.getColumn(1).getString(),
                    st.getColumn(3).getString(), std::string(static_cast<const char*>(c.getBlob()), c.getBytes())});
  }
  st.reset();
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.pop_back();
  MsgWriter w;
  w.map(3).str("events").array(rows.size());
  for (const auto& r : rows)
    w.map(5).str("seq").value(r.seq).str("type").str(r.type).str("at").value(r.at).str("subject").str(r.subject)
        .str("data").raw(r.data);  // stored msgpack, as is
  w.str("more").value(more).str("last_seq").value(last());
  return w.bytes();
}

int64_t Outbox::last() {
  auto& st = s_.stmt("SELECT COALESCE(MAX(seq), 0) FROM outbox");
  st.executeStep();
  return st.getColumn(0).getInt64();
}

}  // namespace cq
