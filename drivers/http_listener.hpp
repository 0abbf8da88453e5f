// HttpListener: passgated's own bounded HTTP/1.1 server, shared by its listeners (/metrics and
// /healthz: drivers/metrics_server.hpp; the status page: passgated/status_page.hpp). Plain TCP,
// or TLS with a server context (drivers/tls_context.hpp). The handler sees each whole request
// and returns its answer; an answer may instead open an event stream (server-sent events)
// that stays open until either side closes it.
// Bounded against slow, idle or hostile clients, per HttpLimits: a TLS handshake and a
// request's whole header must arrive within header_timeout (an idle keep-alive connection is
// closed then too), its body within body_timeout, an answer be taken within write_timeout (and
// each event of a stream too); at max_connections a connection not being answered (else any)
// of the client holding the most, its oldest, is closed to make room, so a new client always
// gets in. With HttpLimits::accept_rate (a listener off loopback), new connections are taken
// at a bounded rate (client_accept_rate.hpp): each address's own limit is checked first, then
// the rate in all, or for an address trusted lately (trust(): its client logged in) a reserved
// budget once that is spent. A connection past them is closed at once, before any TLS
// handshake and without making room, and the listener goes on accepting: the kernel's backlog
// does not fill with a flood's connections while a trusted client waits behind them, as long
// as the thread keeps up; past AcceptRate::max_refused_per_second refusals in a second it
// pauses accepting for refused_pause (the backlog then fills, and the kernel drops new
// connections), so a flood cannot hold the thread in an accept-and-close loop. A stream's
// unsent events are capped at max_stream_pending bytes: a client that falls behind is dropped,
// never waited for. A malformed request is 400, a header over max_header_bytes 431, a body over
// max_body_bytes 413, each answered and then closed. A bad client only ever loses its own
// connection. Boost.Beast stays inside the .cpp. Single-threaded, on one io_context;
// destroying the listener closes every connection and the handler is never called afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "drivers/client_accept_rate.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace passgate::drivers {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // the target without its query
  std::string authorization;  // the Authorization header; "" when absent
  std::string peer_address;   // the client's IP address
};

// The open end of an event stream (HttpAnswer::on_stream). Valid after its connection closed:
// send() then does nothing and says false.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues `bytes` (e.g. "data: ...\n\n") behind those not sent yet. False, and the
  // connection is closed, when the queue would exceed HttpLimits::max_stream_pending or the
  // stream is closed.
  virtual bool send(std::string bytes) = 0;
  [[nodiscard]] virtual bool open() const = 0;
  virtual void close() = 0;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more header fields
  // Set: the answer is an event stream's head (its content type, no body; the connection is
  // then the stream's alone), and this is called with the stream once the head is written.
  std::function<void(std::shared_ptr<EventStream>)> on_stream;
};

[[nodiscard]] HttpAnswer plain_answer(int status, std::string body);

struct HttpLimits {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 4 * 1024;
  std::size_t max_connections = 32;
  std::size_t max_stream_pending = 64 * 1024;
  std::chrono::milliseconds header_timeout{2000};
  std::chrono::milliseconds body_timeout{2000};
  std::chrono::milliseconds write_timeout{5000};
  std::optional<AcceptRate> accept_rate;  // none: as fast as they come (loopback /metrics)
};

struct HttpListenerOptions {
  std::string name;     // in its log events: event=<name>_listening, <name>_bad_request, ...
  std::string address;  // an IP address
  std::uint16_t port = 0;  // 0: any free port (port() says which)
  HttpLimits limits;
  boost::asio::ssl::context* tls = nullptr;  // set: TLS; it must outlive the listener
  // The accept rate's clock (a test's VirtualTime); null: the io_context's own
  // (common/asio_time.hpp). It must outlive the listener.
  const Clock* clock = nullptr;
};

class HttpListener {
 public:
  using Handler = std::function<HttpAnswer(const HttpRequest&)>;

  // Listens and logs event=<name>_listening with the address and port. Error code
  // "listen_failed", naming the listener and the address.
  [[nodiscard]] static Result<std::unique_ptr<HttpListener>> open(boost::asio::io_context& io,
                                                                  HttpListenerOptions options, Handler handler);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // `user`'s password was checked from `peer_address` (HttpRequest::peer_address): its new
  // connections may take the accept rate's reserved budget (AcceptRate::trusted_for). Nothing
  // without an accept rate.
  void trust(const std::string& peer_address, const std::string& user);
  // The addresses trusted for these users are no longer (a reload removed them).
  void untrust(const std::vector<std::string>& users);

  struct Core;  // shared with the open connections; defined in the .cpp

 private:
  explicit HttpListener(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  std::shared_ptr<Core> core_;
};

}  // namespace passgate::drivers
