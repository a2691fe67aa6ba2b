// Request/reply over ZeroMQ with CURVE on every socket.
//
// A request is one msgpack map {v, id, type, caller, body}; a reply is one
// map {v, id, type, ok, code, message, body}. Servers bind a ROUTER; clients
// use a DEALER (a REQ socket works too). docs/protocol.md is the contract.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "cq/codec.h"
#include "cq/error.h"
#include "cq/keys.h"

namespace cq {

inline constexpr int kProtocolVersion = 1;

struct Request {
  std::string id;
  std::string type;
  std::string caller;  // as the client declared it; `who` is what CURVE proved
  Doc body = Doc::object();
  Principal who;
  // What the route's prepare step (if any) computed from the body before the
  // request reached the store thread.
  std::shared_ptr<void> prepared;
};

struct Reply {
  bool ok = true;
  std::string code = code::kOk;
  std::string message;
  Doc body = Doc::object();
  std::string raw_body;  // if set: the body, already msgpack-encoded (sent instead of `body`)

  static Reply success(Doc body, std::string message = "");
  static Reply fail(const Error& e);
  // Turns a failed reply back into an Error (for clients).
  Error error() const;
};

// Encodes a request / reply envelope as msgpack.
std::string encode_request(const std::string& id, const std::string& type,
                           const std::string& caller, const Doc& body);
std::string encode_reply(const std::string& id, const std::string& type, const Reply& r);
// Decodes and checks a request envelope; unknown fields are ignored.
Result<Request> decode_request(std::string_view frame, const UnpackLimits& limits);
Result<Reply> decode_reply(std::string_view frame, std::string* id_out, const UnpackLimits& limits);

// A fresh request id: 128 bits in hex, time-ordered, 80 of them random.
std::string new_request_id();

// Applies CURVE server options to a socket.
void make_curve_server(zmq::socket_t& s, const CurveKeys& keys);
// Applies CURVE client options to a socket.
void make_curve_client(zmq::socket_t& s, const CurveKeys& mine, const std::string& server_public);

// The server side: a ROUTER for requests and a PUB for announcements.
// The context must already run a ZapHandler.
class Server {
 public:
  struct Options {
    std::string bind_request;
    std::string bind_publish;
    CurveKeys keys;
    UnpackLimits limits;
  };
  // A request that decoded; route is what is needed to answer it.
  struct Incoming {
    std::vector<zmq::message_t> route;
    Request req;
  };

  Server(zmq::context_t& ctx, Options opts, std::shared_ptr<KeyRegistry> registry);
  zmq::socket_t& router() { return router_; }
  // Waits up to timeout for a request, then drains up to max that are
  // already queued. Frames that do not decode are answered with an error
  // here and not returned.
  std::vector<Incoming> receive_batch(std::chrono::milliseconds timeout, std::size_t max);
  void reply(const Incoming& in, const Reply& r);
  // Announces on PUB that `topic` has events up to seq.
  void announce(const std::string& topic, int64_t seq);

 private:
  bool receive_one(std::vector<Incoming>& out);
  void send(std::vector<zmq::message_t>& route, const std::string& payload);
  zmq::socket_t router_;
  zmq::socket_t pub_;
  Options opts_;
  std::shared_ptr<KeyRegistry> registry_;
};

// The client side: a DEALER with timeouts and retries (lazy pirate: on
// timeout the socket is rebuilt and the same request id is sent again, so a
// server can recognise the retry).
class Client {
 public:
  struct Options {
    std::string endpoint;
    std::string server_public;
    CurveKeys keys;
    std::string caller;
    std::chrono::milliseconds timeout{5000};
    int attempts = 3;
    UnpackLimits limits{64 << 20, 64 << 20, 0, 1 << 20, 1 << 20, 32};
  };

  Client(zmq::context_t& ctx, Options opts);
  ~Client();
  // Sends and waits. Transport failures are errors with code "unavailable"
  // (no answer) or "unauthenticated" (the server refused our key); a reply
  // with ok=false is returned as a Reply, not an Error.
  Result<Reply> call(const std::string& type, const Doc& body, const std::string& id = "");
  // Pipelining: send without waiting; receive replies as they come.
  std::string send(const std::string& type, const Doc& body, const std::string& id = "");
  // One reply (id, reply) or nullopt on timeout.
  std::optional<std::pair<std::string, Reply>> receive(std::chrono::milliseconds timeout);
  // True if the monitor saw the server refuse our key.
  bool auth_refused();

 private:
  void connect();
  zmq::context_t& ctx_;
  Options opts_;
  std::unique_ptr<zmq::socket_t> sock_;
  std::unique_ptr<zmq::socket_t> monitor_;
  std::string monitor_ep_;
  bool refused_ = false;
};

}  // namespace cq
