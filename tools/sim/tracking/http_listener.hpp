// HttpListener: the simulators' small HTTP/1.1 server on 127.0.0.1, plain or TLS (with
// optional client certificates), keep-alive, one request at a time per connection. Each
// request goes to a synchronous handler; its answer may ask to be sent after a delay (a
// slow server). Accepting can be stopped and resumed on the same port, and connections
// dropped, to play an unreachable server. Boost.Beast stays inside the .cpp.
// Single-threaded, on one io_context. Destroying it closes everything; the handler is
// never called afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "drivers/tls_context.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::sim {

struct HttpCall {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header called `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

struct HttpAnswer {
  int status = 200;
  std::string body;  // sent as application/json
  std::chrono::milliseconds delay{0};
  std::vector<std::pair<std::string, std::string>> headers;  // sent after Server and Content-Type
  // Close the connection instead of answering (after `delay`): a server that executed the
  // request and then lost the response.
  bool drop = false;
  // Called once the delay is over, just before the answer is written or dropped (e.g. to
  // end an "in progress" mark). Not called if the listener closes first.
  std::function<void()> on_delay_end;
};

// An answer with just a status and a JSON body, sent after `delay`.
[[nodiscard]] inline HttpAnswer make_answer(int status, std::string body, std::chrono::milliseconds delay = {}) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  answer.delay = delay;
  return answer;
}

class HttpListener {
 public:
  using Handler = std::function<HttpAnswer(const HttpCall&)>;

  // Listens on 127.0.0.1:`port` (0: any free port). `tls` null: plain HTTP.
  // Error codes: "listen_failed", and make_tls_server_context's.
  [[nodiscard]] static Result<std::unique_ptr<HttpListener>> create(boost::asio::io_context& io, std::uint16_t port,
                                                                    const drivers::TlsServerFiles* tls,
                                                                    Handler handler);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // Closes the listening socket (new connections are refused) and drops every connection.
  void stop_accepting();
  // Listens again on the same port. Error code "listen_failed".
  [[nodiscard]] Status resume_accepting();
  // Closes every open connection, idle or busy, without an answer.
  void drop_connections();
  [[nodiscard]] std::size_t connections_accepted() const;

  struct Core;  // shared with the open connections; defined in the .cpp

 private:
  explicit HttpListener(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace passgate::sim
