#include "cq/transport.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <zmq.h>

#include <atomic>

#include "cq/calendar.h"
#include "cq/crypto.h"
#include "cq/msgpack_writer.h"

namespace cq {

Reply Reply::success(Doc body, std::string message) {
  Reply r;
  r.body = std::move(body);
  r.message = std::move(message);
  return r;
}

Reply Reply::fail(const Error& e) {
  Reply r;
  r.ok = false;
  r.code = e.code;
  r.message = e.message;
  if (!e.fields.empty()) {
    Doc errs = Doc::array();
    for (const auto& f : e.fields) errs.push_back({{"path", f.path}, {"reason", f.reason}});
    r.body = Doc{{"errors", errs}};
  }
  return r;
}

Error Reply::error() const {
  Error e{code, message, {}};
  if (body.is_object() && body.contains("errors") && body["errors"].is_array())
    for (const auto& f : body["errors"])
      if (f.is_object())
        e.fields.push_back({f.value("path", std::string()), f.value("reason", std::string())});
  return e;
}

namespace {
// Envelope fields are written directly and the body appended, so a large
// body is never copied into a temporary document.
void envelope_head(MsgWriter& w, std::size_t fields, const std::string& id, const std::string& type) {
  w.map(fields).str("v").value(kProtocolVersion).str("id").str(id).str("type").str(type);
}
std::string body_bytes(const Doc& body) { return encode(body.is_object() ? body : Doc::object()); }
}  // namespace

std::string encode_request(const std::string& id, const std::string& type,
                           const std::string& caller, const Doc& body) {
  MsgWriter w;
  envelope_head(w, 5, id, type);
  w.str("caller").str(caller).str("body").raw(body_bytes(body));
  return w.bytes();
}

std::string encode_reply(const std::string& id, const std::string& type, const Reply& r) {
  MsgWriter w;
  envelope_head(w, 7, id, type);
  w.str("ok").value(r.ok).str("code").str(r.code).str("message").str(r.message).str("body");
  w.raw(r.raw_body.empty() ? body_bytes(r.body) : r.raw_body);
  return w.bytes();
}

Result<Request> decode_request(std::string_view frame, const UnpackLimits& limits) {
  auto d = decode(frame, limits);
  if (!d) return d.error();
  Doc& m = *d;
  if (!m.is_object()) return Error::make(code::kBadEnvelope, "the request must be a msgpack map");
  Request r;
  if (m.contains("id")) {
    if (!m["id"].is_string() || m["id"].get_ref<const std::string&>().size() > 128)
      return Error::make(code::kBadEnvelope, "id: expected a string of at most 128 bytes");
    r.id = m["id"].get<std::string>();
  }
  if (!m.contains("v")) return Error::make(code::kBadEnvelope, "v: missing (protocol version)");
  if (!m["v"].is_number_integer()) return Error::make(code::kBadEnvelope, "v: expected an integer");
  if (m["v"].get<int64_t>() != kProtocolVersion)
    return Error::make(code::kUnsupportedVersion,
                       "v: protocol version " + m["v"].dump() + " is not supported (this server speaks 1)");
  if (r.id.empty()) return Error::make(code::kBadEnvelope, "id: missing (request id)");
  if (!m.contains("type") || !m["type"].is_string() || m["type"].get_ref<const std::string&>().empty())
    return Error::make(code::kBadEnvelope, "type: missing or not a string");
  r.type = m["type"].get<std::string>();
  if (m.contains("caller")) {
    if (!m["caller"].is_string()) return Error::make(code::kBadEnvelope, "caller: expected a string");
    r.caller = m["caller"].get<std::string>();
  }
  if (m.contains("body")) {
    if (!m["body"].is_object()) return Error::make(code::kBadEnvelope, "body: expected a map");
    r.body = std::move(m["body"]);
  }
  return r;
}

Result<Reply> decode_reply(std::string_view frame, std::string* id_out, const UnpackLimits& limits) {
  auto d = decode(frame, limits);
  if (!d) return d.error();
  const Doc& m = *d;
  if (!m.is_object() || !m.contains("ok") || !m["ok"].is_boolean())
    return Error::make(code::kBadEnvelope, "reply is not a map with a boolean ok");
  Reply r;
  r.ok = m["ok"].get<bool>();
  r.code = m.value("code", std::string(r.ok ? code::kOk : code::kInternal));
  r.message = m.value("message", std::string());
  if (m.contains("body") && m["body"].is_object()) r.body = m["body"];
  if (id_out) *id_out = m.value("id", std::string());
  return r;
}

std::string new_request_id() {
  // Time-ordered (48-bit milliseconds, then 80 random bits), so that a
  // server's index of request ids grows at its end instead of at random.
  unsigned char b[16];
  uint64_t ms = static_cast<uint64_t>(now_ms());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  randombytes_buf(b + 6, sizeof b - 6);
  return crypto::to_hex(b, sizeof b);
}

void make_curve_server(zmq::socket_t& s, const CurveKeys& keys) {
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, keys.secret_key);
  s.set(zmq::sockopt::zap_domain, "chengqing");
}

void make_curve_client(zmq::socket_t& s, const CurveKeys& mine, const std::string& server_public) {
  s.set(zmq::sockopt::curve_serverkey, server_public);
  s.set(zmq::sockopt::curve_publickey, mine.public_key);
  s.set(zmq::sockopt::curve_secretkey, mine.secret_key);
}

Server::Server(zmq::context_t& ctx, Options opts, std::shared_ptr<KeyRegistry> registry)
    : router_(ctx, zmq::socket_type::router),
      pub_(ctx, zmq::socket_type::pub),
      opts_(std::move(opts)),
      registry_(std::move(registry)) {
  for (auto* s : {&router_, &pub_}) {
    make_curve_server(*s, opts_.keys);
    s->set(zmq::sockopt::linger, 0);
  }
  // Hard cap well above the decode limit, so an oversized frame still gets a
  // clear reply, and a hostile one cannot exhaust memory.
  router_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(opts_.limits.max_frame_bytes * 4));
  router_.set(zmq::sockopt::sndhwm, 100000);
  router_.set(zmq::sockopt::rcvhwm, 100000);
  router_.bind(opts_.bind_request);
  pub_.bind(opts_.bind_publish);
}

void Server::send(std::vector<zmq::message_t>& route, const std::string& payload) {
  try {
    for (auto& r : route) {
      zmq::message_t copy(r.data(), r.size());
      router_.send(copy, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    }
    router_.send(zmq::buffer(payload), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::warn("could not send a reply: {}", e.what());
  }
}

bool Server::receive_one(std::vector<Incoming>& out) {
  std::vector<zmq::message_t> frames;
  while (true) {
    zmq::message_t m;
    auto got = router_.recv(m, zmq::recv_flags::dontwait);
    if (!got) {
      if (frames.empty()) return false;
      continue;  // the rest of a multipart message is always there once the first part is
    }
    bool more = m.more();
    frames.push_back(std::move(m));
    if (!more) break;
  }
  // [routing id, payload] from DEALER; [routing id, "", payload] from REQ.
  Incoming in;
  std::size_t payload_at = 1;
  if (frames.size() >= 3 && frames[1].size() == 0) payload_at = 2;
  for (std::size_t i = 0; i < payload_at && i < frames.size(); ++i)
    in.route.emplace_back(frames[i].data(), frames[i].size());
  if (frames.size() != payload_at + 1) {
    send(in.route, encode_reply("", "", Reply::fail(Error::make(code::kBadFrame,
                                         "expected exactly one payload frame, got " +
                                             std::to_string(frames.size() > payload_at ? frames.size() - payload_at : 0)))));
    return true;
  }
  auto& payload = frames[payload_at];
  const char* uid = payload.gets("User-Id");
  std::string user = uid ? uid : "";
  auto req = decode_request(std::string_view(static_cast<const char*>(payload.data()), payload.size()),
                            opts_.limits);
  if (!req) {
    // Best effort to echo the id so the client can match the error.
    std::string id;
    if (auto d = decode(std::string_view(static_cast<const char*>(payload.data()), payload.size()),
                        opts_.limits);
        d && d->is_object() && d->contains("id") && (*d)["id"].is_string())
      id = (*d)["id"].get<std::string>();
    spdlog::debug("rejected a frame from {}: {}", user, req.error().message);
    send(in.route, encode_reply(id, "", Reply::fail(req.error())));
    return true;
  }
  in.req = std::move(*req);
  in.req.who.name = user;
  if (auto p = registry_->principal(user)) in.req.who = *p;
  out.push_back(std::move(in));
  return true;
}

std::vector<Server::Incoming> Server::receive_batch(std::chrono::milliseconds timeout, std::size_t max) {
  std::vector<Incoming> out;
  zmq::pollitem_t items[] = {{static_cast<void*>(router_), 0, ZMQ_POLLIN, 0}};
  zmq::poll(items, 1, timeout);
  if (!(items[0].revents & ZMQ_POLLIN)) return out;
  for (std::size_t n = 0; n < max * 2 && out.size() < max; ++n)
    if (!receive_one(out)) break;
  return out;
}

void Server::reply(const Incoming& in, const Reply& r) {
  auto route = std::vector<zmq::message_t>();
  for (const auto& m : in.route) route.emplace_back(m.data(), m.size());
  send(route, encode_reply(in.req.id, in.req.type, r));
}

void Server::announce(const std::string& topic, int64_t seq) {
  try {
    pub_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    pub_.send(zmq::buffer(std::to_string(seq)), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
  }
}

namespace {
std::atomic<int> g_monitor_n{0};
}

Client::Client(zmq::context_t& ctx, Options opts) : ctx_(ctx), opts_(std::move(opts)) { connect(); }

Client::~Client() {
  if (sock_) zmq_socket_monitor(static_cast<void*>(*sock_), nullptr, 0);
}

void Client::connect() {
  if (sock_) zmq_socket_monitor(static_cast<void*>(*sock_), nullptr, 0);
  monitor_.reset();
  sock_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
  sock_->set(zmq::sockopt::linger, 0);
  sock_->set(zmq::sockopt::sndhwm, 100000);
  sock_->set(zmq::sockopt::rcvhwm, 100000);
  make_curve_client(*sock_, opts_.keys, opts_.server_public);
  monitor_ep_ = "inproc://cq-client-monitor-" + std::to_string(++g_monitor_n);
  zmq_socket_monitor(static_cast<void*>(*sock_), monitor_ep_.c_str(),
                     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  monitor_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::pair);
  monitor_->set(zmq::sockopt::linger, 0);
  monitor_->connect(monitor_ep_);
  sock_->connect(opts_.endpoint);
}

bool Client::auth_refused() {
  while (monitor_) {
    zmq::message_t ev;
    if (!monitor_->recv(ev, zmq::recv_flags::dontwait)) break;
    if (ev.size() >= 2) {
      uint16_t id;
      std::memcpy(&id, ev.data(), 2);
      if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) refused_ = true;
      if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) refused_ = false;
    }
    zmq::message_t addr;
    if (ev.more()) (void)monitor_->recv(addr, zmq::recv_flags::dontwait);
  }
  return refused_;
}

std::string Client::send(const std::string& type, const Doc& body, const std::string& id_in) {
  std::string id = id_in.empty() ? new_request_id() : id_in;
  sock_->send(zmq::buffer(encode_request(id, type, opts_.caller, body)), zmq::send_flags::none);
  return id;
}

std::optional<std::pair<std::string, Reply>> Client::receive(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return std::nullopt;
    zmq::pollitem_t items[] = {{static_cast<void*>(*sock_), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 1, left);
    if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
    zmq::message_t m;
    if (!sock_->recv(m, zmq::recv_flags::dontwait)) continue;
    while (m.more()) {  // tolerate a REP-style empty delimiter: keep the last frame
      zmq::message_t next;
      if (!sock_->recv(next, zmq::recv_flags::dontwait)) break;
      m = std::move(next);
    }
    std::string id;
    auto r = decode_reply(std::string_view(static_cast<const char*>(m.data()), m.size()), &id, opts_.limits);
    if (!r) continue;  // garbage from the server is dropped; the caller times out
    return std::make_pair(id, std::move(*r));
  }
}

Result<Reply> Client::call(const std::string& type, const Doc& body, const std::string& id_in) {
  std::string id = id_in.empty() ? new_request_id() : id_in;
  for (int attempt = 0; attempt < std::max(1, opts_.attempts); ++attempt) {
    send(type, body, id);
    auto deadline = std::chrono::steady_clock::now() + opts_.timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto got = receive(left);
      if (!got) break;
      if (got->first == id) return std::move(got->second);
      // a late reply to an earlier request: ignore
    }
    if (auth_refused())
      return Error::make(code::kUnauthenticated,
                         "the server at " + opts_.endpoint +
                             " refused this key: the user is not registered there (cq user add)");
    connect();  // lazy pirate: a fresh socket, then the same request again
  }
  if (auth_refused())
    return Error::make(code::kUnauthenticated, "the server at " + opts_.endpoint + " refused this key");
  return Error::make(code::kUnavailable, "no answer from " + opts_.endpoint + " after " +
                                             std::to_string(opts_.attempts) + " attempts of " +
                                             std::to_string(opts_.timeout.count()) + " ms");
}

}  // namespace cq
