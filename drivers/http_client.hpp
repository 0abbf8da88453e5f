// HttpClient: an asynchronous HTTP/1.1 client for one base URL ("http://host:port" or
// "https://host:port", optionally with a path prefix), on one io_context, single-threaded.
//
// - Every request has one overall deadline covering connect, TLS handshake, write and read;
//   on expiry it completes with status 0 and "timeout after N ms ...".
// - The callback runs exactly once, always from the io_context (never inside request()).
// - Finished connections that the server keeps alive wait in a small idle pool and are
//   reused, so the entry path does not pay a TCP and TLS handshake per request. Concurrent
//   requests use separate connections. Every connection has TCP keep-alive on
//   (drivers/pooled_socket.hpp). A pooled connection is closed, never reused, once it has
//   been idle longer than kMaxIdleAge (30 s, on the steady clock of HttpClientOptions::clock),
//   or when a look without blocking just before its reuse finds that the server sent
//   something on it while it was idle (bytes nobody asked for, such as a proxy's unsolicited
//   408, belong to no request), closed it, or reset it; then the next one is looked at. A
//   connection is pooled only if nothing was received after its response: neither in our
//   buffer nor, for TLS, inside OpenSSL (a record read from the socket with the response's,
//   which that look could not see).
// - Stale pooled connections: a server may still close an idle connection just as we reuse
//   it. When a *reused* connection fails while writing, or before a single byte of the
//   response arrived (EOF, reset), or its response is 408 (Request Timeout: a proxy or the
//   server timed the connection out as we wrote and did not process the request, RFC 9110),
//   the request is sent once more, the same bytes, on a fresh connection, within its
//   deadline. Such a request may in rare cases have reached the server already; that is
//   safe for every caller here because all our POSTs carry their own ids and the servers
//   treat repeats idempotently: the tracking engine's by session_id and passage_id, the
//   payment gateway's by the Idempotency-Key header (a repeat is replayed, not executed
//   again). At most one resend per request: failures and 408s on fresh connections are the
//   answer (status 0, or the 408 as it came). Nothing is sent again to a server that
//   answered 429 (Too Many Requests) to any request of this client since that one started:
//   it asked for nothing to be sent for a while (the payment drainer pauses); a 408 is then
//   the answer too. That is looked at again once the resend's new connection is made, just
//   before it is written: a 429 that came meanwhile ends the request with status 0.
// - Bounded memory whatever the server sends: the status line and headers, each chunk header
//   line and the body each have a limit (HttpClientOptions), and reads are sized so the
//   buffered response never exceeds them. A response past a limit completes the request at
//   once with status 0 and an error naming the bound ("response from H refused: the status
//   line and headers exceed 16384 bytes"), logs event=http_response_refused with the bound,
//   and closes the connection. Callers treat status 0 as unreachable (tracking engine) or
//   as an unknown outcome (payment gateway).
// - Plain http is allowed only to loopback hosts (127.0.0.0/8, ::1, localhost).
// - Destroying the client aborts requests in flight; their callbacks are not called.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/http_reply.hpp"
#include "drivers/tls_context.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

struct HttpClientOptions {
  std::string base_url;
  TlsClientFiles tls;  // used for https only
  // Sent with every request, after Host, User-Agent and Connection (e.g. X-Gate-Id).
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t max_idle_connections = 4;
  // The steady time the pool's idle ages are measured on (e.g. a test's VirtualTime); null:
  // the system's (common/system_clock.hpp). Must outlive the client.
  const Clock* clock = nullptr;
  // Bounds on what a response may make the client hold (see drivers/http/response_parser.hpp);
  // a response past one fails as described in the header comment above.
  std::size_t max_header_bytes = 16 * 1024;   // status line and header fields together
  std::size_t max_chunk_header_bytes = 1024;  // each chunk header line, and the trailer
  std::size_t max_body_bytes = std::size_t{1} << 20;
};

enum class HttpMethod { get, post };

// One request. Header names and values must not contain CR or LF (callers check what
// they take from outside).
struct HttpRequestSpec {
  HttpMethod method = HttpMethod::get;
  std::string target;        // "/v1/sessions?x=1", after the base URL's path prefix
  std::string body;          // sent only when not empty
  std::string content_type;  // of a non-empty body, e.g. "application/x-www-form-urlencoded"
  // Sent after the client's own (HttpClientOptions::headers), e.g. Idempotency-Key.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The longest a finished connection waits in the pool and is still reused.
inline constexpr std::chrono::seconds kMaxIdleAge{30};

class HttpClient {
 public:
  using Callback = std::function<void(HttpReply)>;

  // Error codes: "bad_url", "insecure_url" (plain http to a non-loopback host), and those
  // of make_tls_client_context.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> create(boost::asio::io_context& io,
                                                                  HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `spec` to base path prefix + spec.target; `done` gets the reply with its status,
  // body and headers, or status 0 and why there was none.
  void request(HttpRequestSpec spec, std::chrono::milliseconds timeout, Callback done);
  // The same with a JSON body (or none).
  void request(HttpMethod method, const std::string& target, std::string body,
               std::chrono::milliseconds timeout, Callback done);

  // Connections waiting for reuse (diagnostics and tests), whether still usable or not.
  [[nodiscard]] std::size_t idle_connections() const;

  struct Core;  // shared with the requests in flight; defined in http_client.cpp

 private:
  explicit HttpClient(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace passgate::drivers
