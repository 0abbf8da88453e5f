#include "drivers/http_client.hpp"

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/system_clock.hpp"
#include "common/url.hpp"
#include "drivers/http/response_parser.hpp"
#include "drivers/pooled_socket.hpp"

namespace passgate::drivers {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadBytes = 16 * 1024;
// Interim (1xx) responses tolerated before the answer to one request.
constexpr int kMaxInterimResponses = 8;

constexpr const char* kNotSentAfter429 =
    "not sent again: the server answered 429 (Too Many Requests) since this request started";

// "host:port", with brackets around IPv6 addresses: for Host headers and messages.
std::string authority_of(const BaseUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

// One TCP connection, plain or TLS, with the read buffer that belongs to it (bytes after
// one response stay with the connection for the next) and when it last went idle.
class Connection {
 public:
  using TlsStream = asio::ssl::stream<tcp::socket>;

  Connection(asio::io_context& io, asio::ssl::context* tls)
      : stream_(tls != nullptr ? Stream(std::in_place_type<TlsStream>, io, *tls)
                               : Stream(std::in_place_type<tcp::socket>, io)) {}

  [[nodiscard]] SteadyTime idle_since() const { return idle_since_; }
  void set_idle_since(SteadyTime t) { idle_since_ = t; }

  tcp::socket& socket() {
    if (auto* s = std::get_if<TlsStream>(&stream_)) return s->next_layer();
    return std::get<tcp::socket>(stream_);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  // Whether bytes were received that no response has used: in the read buffer, or, for TLS,
  // still inside OpenSSL (drivers/pooled_socket.hpp).
  [[nodiscard]] bool holds_unread() {
    if (buffer_.size() > 0) return true;
    auto* tls_stream = tls();
    return tls_stream != nullptr && !tls_nothing_unread(tls_stream->native_handle());
  }
  // Calls f(stream) with the concrete stream type, for Beast's composed operations.
  template <class F>
  void with_stream(F&& f) {
    std::visit(std::forward<F>(f), stream_);
  }
  // Cancels pending operations; they complete with operation_aborted.
  void close() {
    error_code ignored;
    socket().close(ignored);
  }

 private:
  using Stream = std::variant<tcp::socket, TlsStream>;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  SteadyTime idle_since_{};
};

class Exchange;

}  // namespace

struct HttpClient::Core {
  Core(asio::io_context& io_context, BaseUrl base_url, HttpClientOptions opts,
       std::unique_ptr<asio::ssl::context> tls_context)
      : io(io_context), url(std::move(base_url)), authority(authority_of(url)),
        options(std::move(opts)), clock(options.clock != nullptr ? *options.clock : system_clock()),
        tls(std::move(tls_context)),
        limits{options.max_header_bytes, options.max_chunk_header_bytes, options.max_body_bytes} {}

  // The most recently pooled connection that is still fit for a request, if any. The others
  // met on the way are closed: idle longer than kMaxIdleAge (with every one pooled before),
  // or holding unread bytes, an end of stream or an error. (Nothing waits on an idle
  // connection: a caller's io_context.run() still returns once its requests are done.)
  std::unique_ptr<Connection> take_idle() {
    const SteadyTime now = clock.steady_now();
    while (!idle.empty() && now - idle.front()->idle_since() > kMaxIdleAge) idle.erase(idle.begin());
    while (!idle.empty()) {
      auto conn = std::move(idle.back());
      idle.pop_back();
      if (idle_socket_usable(conn->socket().native_handle())) return conn;
    }
    return nullptr;
  }
  void put_idle(std::unique_ptr<Connection> conn) {
    if (closed || idle.size() >= options.max_idle_connections) return;  // closes it
    conn->set_idle_since(clock.steady_now());
    idle.push_back(std::move(conn));
  }
  void shut_down();

  asio::io_context& io;
  const BaseUrl url;
  const std::string authority;
  const HttpClientOptions options;
  const Clock& clock;
  const std::unique_ptr<asio::ssl::context> tls;  // null for plain http
  const ResponseLimits limits;
  std::vector<std::unique_ptr<Connection>> idle;  // oldest first
  std::unordered_set<Exchange*> in_flight;
  std::uint64_t rate_limited = 0;  // 429 answers so far
  bool closed = false;
};

namespace {

// One request from start to callback: deadline, connection (pooled or fresh), at most one
// retry on a fresh connection. Kept alive by the handlers of its pending operations.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClient::Core> core, http::request<http::string_body> request,
           std::chrono::milliseconds timeout, HttpClient::Callback done)
      : core_(std::move(core)), request_(std::move(request)), timeout_(timeout),
        done_(std::move(done)), deadline_(core_->io), resolver_(core_->io) {}
  // Normally stop() already did this; not if the io_context dropped our handlers unrun.
  ~Exchange() { core_->in_flight.erase(this); }
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void start() {
    core_->in_flight.insert(this);
    rate_limited_at_start_ = core_->rate_limited;
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec) self->fail("timeout after " + std::to_string(self->timeout_.count()) + " ms " + self->stage_);
    });
    conn_ = core_->take_idle();
    if (conn_) {
      reused_ = true;
      send();
    } else {
      connect();
    }
  }

  // The client is going away: stop everything, never call back.
  void abandon() {
    done_ = nullptr;
    stop();
  }

 private:
  void connect() {
    stage_ = "while connecting to " + core_->authority;
    conn_ = std::make_unique<Connection>(core_->io, core_->tls.get());
    // An address needs no lookup: Asio's resolver would run it on its own thread (a hand-over
    // there and back on every connection, e.g. each admission while the engine is down).
    error_code not_literal;
    const auto address = asio::ip::make_address(core_->url.host, not_literal);
    if (!not_literal) {
      conn_->socket().async_connect(tcp::endpoint(address, core_->url.port),
                                    [self = shared_from_this()](const error_code& ec) { self->on_connected(ec); });
      return;
    }
    resolver_.async_resolve(
        core_->url.host, std::to_string(core_->url.port),
        [self = shared_from_this()](const error_code& ec, const tcp::resolver::results_type& found) {
          if (self->finished_) return;
          if (ec) return self->fail("cannot resolve " + self->core_->url.host + ": " + ec.message());
          asio::async_connect(self->conn_->socket(), found,
                              [self](const error_code& ec2, const tcp::endpoint&) { self->on_connected(ec2); });
        });
  }

  void on_connected(const error_code& ec) {
    if (finished_) return;
    if (ec) return fail("cannot connect to " + core_->authority + ": " + ec.message());
    (void)enable_keepalive(conn_->socket().native_handle());  // best effort: it works without
    auto* tls = conn_->tls();
    if (tls == nullptr) return send();
    if (auto expected = expect_tls_peer(tls->native_handle(), core_->url.host); !expected) {
      return fail(expected.error().message);
    }
    stage_ = "during the TLS handshake with " + core_->authority;
    tls->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const error_code& ec2) {
      if (self->finished_) return;
      if (ec2) return self->fail("TLS handshake with " + self->core_->authority + " failed: " + self->tls_failure(ec2));
      self->send();
    });
  }

  void send() {
    // A resend connects first (100 ms or more with TLS): the server may have answered 429
    // since the decision to send again, and then it is not written after all.
    if (sends_ > 0 && core_->rate_limited != rate_limited_at_start_) {
      return fail("no answer from " + core_->authority + " on a stale connection (or a 408); " + kNotSentAfter429);
    }
    stage_ = "while sending the request to " + core_->authority;
    ++sends_;
    interim_responses_ = 0;
    parser_.emplace(core_->limits);
    conn_->with_stream([self = shared_from_this()](auto& stream) {
      http::async_write(stream, self->request_, [self](const error_code& ec, std::size_t) {
        if (self->finished_) return;
        if (ec) return self->retry_or_fail("cannot send the request to " + self->core_->authority, ec);
        self->stage_ = "waiting for the response from " + self->core_->authority;
        self->parse_buffered({});
      });
    });
  }

  // Reads at most kReadBytes at a time, so the connection's buffer holds at most what the
  // parser left unconsumed (within its limits) plus one read.
  void read_more() {
    conn_->with_stream([self = shared_from_this()](auto& stream) {
      stream.async_read_some(self->conn_->buffer().prepare(kReadBytes),
                             [self](const error_code& ec, std::size_t n) {
                               if (self->finished_) return;
                               self->conn_->buffer().commit(n);
                               self->parse_buffered(ec);
                             });
    });
  }

  // Parses what the connection holds; `ec` is how the last read ended.
  void parse_buffered(const error_code& ec) {
    auto& buffer = conn_->buffer();
    const bool nothing_received = interim_responses_ == 0 && !parser_->got_some() && buffer.size() == 0;
    if (buffer.size() > 0) {
      const auto data = buffer.data();
      auto used = parser_->put(std::string_view(static_cast<const char*>(data.data()), data.size()));
      if (!used) return refuse(used.error());
      buffer.consume(*used);
    }
    if (!parser_->done() && ec) {
      const std::string what = "no complete response from " + core_->authority;
      if (nothing_received) return retry_or_fail(what, ec);
      if (ec != asio::error::eof) return fail(what + ": " + describe(ec));
      if (auto ended = parser_->put_eof(); !ended) return fail(what + ": " + ended.error().message);
    }
    if (!parser_->done()) return read_more();
    auto response = parser_->take();
    if (response.status >= 100 && response.status < 200 && response.status != 101) {
      // An interim response (100 Continue, 103 Early Hints, ...): the answer follows it. A
      // peer that sends nothing else is cut off after a few.
      if (++interim_responses_ > kMaxInterimResponses) {
        return refuse(Error{"bad_response", "more than " + std::to_string(kMaxInterimResponses) +
                                                " interim (1xx) responses before the answer"});
      }
      parser_.emplace(core_->limits);
      return parse_buffered({});
    }
    // A 408 (Request Timeout) on a reused connection: a proxy or the server timed the idle
    // connection out as we wrote, and did not process the request (RFC 9110 15.5.9). On a
    // fresh connection, or when it may not be sent again, it is the answer.
    if (response.status == 408 && resend_refused() == Refusal::none) return resend();
    if (response.status == 429) ++core_->rate_limited;
    // Pooled only when nothing is left over: bytes after the answer belong to no request.
    if (response.keep_alive && !conn_->holds_unread()) core_->put_idle(std::move(conn_));
    finish(HttpReply{response.status, std::move(response.body), {}, std::move(response.headers)});
  }

  // The response went past one of the parser's limits: the rest of the stream is unknown, so
  // the connection is closed (by finish) rather than pooled.
  void refuse(const Error& why) {
    spdlog::warn("event=http_response_refused peer={} bound={} detail={} next=connection_closed",
                 log_value(core_->authority), why.code, log_value(why.message));
    fail("response from " + core_->authority + " refused: " + why.message);
  }

  // A reused connection that failed before the server could answer was probably closed
  // by the server while idle: try once more on a fresh connection (see the header), unless
  // that is refused.
  void retry_or_fail(const std::string& what, const error_code& ec) {
    switch (resend_refused()) {
      case Refusal::none:
        return resend();
      case Refusal::fresh_connection:
        return fail(what + ": " + describe(ec));
      case Refusal::rate_limited:
        return fail(what + ": " + describe(ec) + "; " + kNotSentAfter429);
    }
  }

  // Why the request may not be sent once more on a fresh connection: it was not sent on a
  // reused one (a fresh connection's failure is the server's; and so at most one resend), or
  // the server answered 429 since this request started (it asked for a pause).
  enum class Refusal { none, fresh_connection, rate_limited };
  [[nodiscard]] Refusal resend_refused() const {
    if (!reused_) return Refusal::fresh_connection;
    if (core_->rate_limited != rate_limited_at_start_) return Refusal::rate_limited;
    return Refusal::none;
  }

  // Sends the request again, the same bytes, on a fresh connection, under the same deadline.
  void resend() {
    reused_ = false;
    conn_->close();
    connect();
  }

  std::string describe(const error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() ? tls_failure(ec) : ec.message();
  }

  std::string tls_failure(const error_code& ec) {
    std::string text = ec.message();
    if (auto* tls = conn_->tls()) {
      if (auto why = tls_verify_failure(tls->native_handle()); !why.empty()) text += " (" + why + ")";
    }
    return text;
  }

  void fail(std::string error) { finish(HttpReply{0, {}, std::move(error)}); }

  void finish(HttpReply reply) {
    if (finished_) return;
    stop();
    reply.sends = sends_;
    auto done = std::move(done_);
    done(std::move(reply));  // last: the callback may destroy the client
  }

  void stop() {
    finished_ = true;
    core_->in_flight.erase(this);
    deadline_.cancel();
    resolver_.cancel();
    // Pending operations complete with operation_aborted; the connection object itself
    // lives until this exchange is destroyed, because those operations still use it.
    if (conn_) conn_->close();
  }

  std::shared_ptr<HttpClient::Core> core_;
  http::request<http::string_body> request_;
  std::chrono::milliseconds timeout_;
  HttpClient::Callback done_;
  asio::steady_timer deadline_;
  tcp::resolver resolver_;
  std::unique_ptr<Connection> conn_;
  std::optional<ResponseParser> parser_;
  std::string stage_;
  bool reused_ = false;
  std::uint64_t rate_limited_at_start_ = 0;  // core_->rate_limited when it started
  int sends_ = 0;
  int interim_responses_ = 0;  // of the current send
  bool finished_ = false;
};

}  // namespace

void HttpClient::Core::shut_down() {
  closed = true;
  idle.clear();
  const std::vector<Exchange*> abandoned(in_flight.begin(), in_flight.end());
  for (Exchange* exchange : abandoned) exchange->abandon();
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(asio::io_context& io, HttpClientOptions options) {
  auto url = parse_base_url(options.base_url);
  if (!url) return make_error("bad_url", "base URL \"" + options.base_url + "\" " + url.error().message);
  std::unique_ptr<asio::ssl::context> tls;
  if (url->scheme == "https") {
    auto made = make_tls_client_context(options.tls);
    if (!made) return made.error();
    tls = std::move(made.value());
  } else if (!is_loopback_host(url->host)) {
    return make_error("insecure_url", "base URL \"" + options.base_url +
                                          "\": plain http is allowed only to a loopback host "
                                          "(127.0.0.1, ::1, localhost); use https://");
  }
  return std::unique_ptr<HttpClient>(new HttpClient(
      std::make_shared<Core>(io, std::move(url.value()), std::move(options), std::move(tls))));
}

HttpClient::HttpClient(std::shared_ptr<Core> core) : core_(std::move(core)) {}

HttpClient::~HttpClient() { core_->shut_down(); }

void HttpClient::request(HttpRequestSpec spec, std::chrono::milliseconds timeout, Callback done) {
  http::request<http::string_body> message{spec.method == HttpMethod::post ? http::verb::post : http::verb::get,
                                           core_->url.path + spec.target, 11};
  message.set(http::field::host, core_->authority);
  message.set(http::field::user_agent, "passgated/0.1");
  message.set(http::field::connection, "keep-alive");
  for (const auto& [name, value] : core_->options.headers) message.set(name, value);
  for (const auto& [name, value] : spec.headers) message.set(name, value);
  if (!spec.body.empty()) message.set(http::field::content_type, spec.content_type);
  message.body() = std::move(spec.body);
  message.prepare_payload();
  std::make_shared<Exchange>(core_, std::move(message), timeout, std::move(done))->start();
}

void HttpClient::request(HttpMethod method, const std::string& target, std::string body,
                         std::chrono::milliseconds timeout, Callback done) {
  request(HttpRequestSpec{method, target, std::move(body), "application/json", {}}, timeout, std::move(done));
}

std::size_t HttpClient::idle_connections() const { return core_->idle.size(); }

}  // namespace passgate::drivers
