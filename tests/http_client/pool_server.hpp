// PoolServer: a loopback HTTP/1.1 server, plain or TLS, for the tests of the client's pool of
// kept-alive connections, on the test's io_context. It numbers its connections from 1, and
// the requests on each, and keeps every request it receives. A request is answered 200 with a
// body naming both ("connection 2 request 1") and its connection stays open, unless the test
// scripted another answer for it: any bytes, over TLS as several records that reach the
// client in one socket write, then perhaps the end of the connection; sent at once, or held
// until the test releases it; a connection's TLS handshake can be held too. On demand it
// says goodbye on its first connection while the client holds it idle: it closes it, or sends
// an unsolicited 408 and then closes it, as a proxy's idle time-out does; and it tells when
// the client's side has received all of that (the kernel acknowledged the close). Destroy it
// before running the loop on without it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "drivers/tls_context.hpp"

namespace passgate::test {

// A request as the server received it.
struct ReceivedRequest {
  int connection = 0;  // from 1, in the order accepted
  int number = 0;      // on that connection, from 1
  std::string head;    // request line and header fields, up to the blank line
  std::string body;    // Content-Length bytes

  // The value of the first header field called `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// What the server sends for one request instead of its usual answer.
struct ScriptedAnswer {
  // Sent in one socket write (not empty; the last one not empty). Over TLS each is its own
  // record: a response, and stray bytes after it, can reach the client in one read.
  std::vector<std::string> records;
  bool close_after = false;  // then ends the connection (FIN)
  bool held = false;         // sent only when the test calls release()
};

// A whole HTTP/1.1 response: `status` ("408 Request Timeout"), Content-Length, the lines of
// `fields` (each ending in CRLF) and `body`.
[[nodiscard]] std::string http_response(const std::string& status, const std::string& body,
                                        const std::string& fields = "");

class PoolServer {
 public:
  enum class Farewell { close, unsolicited_408 };

  // `tls` null: plain HTTP. Throws if the TLS files cannot be used.
  explicit PoolServer(boost::asio::io_context& io, const drivers::TlsServerFiles* tls = nullptr);
  ~PoolServer();
  PoolServer(const PoolServer&) = delete;
  PoolServer& operator=(const PoolServer&) = delete;

  // "http://127.0.0.1:<port>", or https.
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] int connections_accepted() const { return accepted_; }
  [[nodiscard]] const std::vector<ReceivedRequest>& received() const { return received_; }

  // Answers request `number` on connection `connection` with `answer`.
  void script(int connection, int number, ScriptedAnswer answer);
  // Sends the answer held back (ScriptedAnswer::held), if a request is waiting for it.
  void release();
  // TLS: connection `connection`'s handshake waits until release_handshake(), and the
  // client's connect with it (plain connections are not held).
  void hold_handshake(int connection) { held_handshake_of_ = connection; }
  void release_handshake();

  // Says goodbye on the first connection (which must be open and idle).
  void farewell(Farewell how);
  // The client's kernel has acknowledged the farewell's close (and so holds the 408 before
  // it): the client can see it without waiting.
  [[nodiscard]] bool farewell_received() const;

 private:
  struct Conn;  // one accepted connection; defined in the .cpp
  using ConnPtr = std::shared_ptr<Conn>;

  void accept();
  void serve(const ConnPtr& conn);  // its TLS handshake (if any), then its requests
  void read(const ConnPtr& conn);
  void answer_requests(const ConnPtr& conn);
  void send(const ConnPtr& conn, ScriptedAnswer answer);
  void close(const ConnPtr& conn);

  std::unique_ptr<boost::asio::ssl::context> tls_;  // null: plain
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<ConnPtr> open_;  // every accepted connection, open on this side until the server goes
  std::weak_ptr<Conn> farewell_;
  std::map<std::pair<int, int>, ScriptedAnswer> script_;
  std::optional<std::pair<ConnPtr, ScriptedAnswer>> held_;
  int held_handshake_of_ = 0;
  ConnPtr held_handshake_;
  std::vector<ReceivedRequest> received_;
  int accepted_ = 0;
};

}  // namespace passgate::test
