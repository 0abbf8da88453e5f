#include "drivers/http_listener.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "common/asio_time.hpp"
#include "common/client_keys.hpp"
#include "common/log_value.hpp"

namespace passgate::drivers {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

HttpAnswer plain_answer(int status, std::string body) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

namespace {

// What the listener's bookkeeping needs of a connection, whatever its stream.
class ListenerConnection {
 public:
  virtual ~ListenerConnection() = default;
  // Whether it is answering a request or streaming (else it waits for a request, or the rest of one).
  [[nodiscard]] virtual bool answering() const = 0;
  [[nodiscard]] virtual const ClientKeys& client() const = 0;  // its peer
  virtual void close() = 0;
};

// A parse error of the request itself (as opposed to the connection ending or timing out).
bool is_request_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

HttpAnswer request_error_answer(const error_code& ec) {
  if (ec == http::error::header_limit) return plain_answer(431, "request header too large\n");
  if (ec == http::error::body_limit) return plain_answer(413, "request body too large\n");
  return plain_answer(400, "bad request: " + ec.message() + "\n");
}

std::string text_of(beast::string_view text) { return std::string(text.data(), text.size()); }

}  // namespace

struct HttpListener::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io, HttpListenerOptions listener_options, Handler on_request)
      : acceptor(io), retry(io), options(std::move(listener_options)), handler(std::move(on_request)),
        own_time(io), clock(options.clock != nullptr ? *options.clock : own_time) {
    if (const auto& rate = options.limits.accept_rate) rates.emplace(*rate, clock.steady_now());
  }

  void accept();
  // A connection accepted from `client`: kept within the accept rate, else closed at once.
  void accepted(tcp::socket socket, std::string peer, ClientKeys client);
  // Accepts again after `pause` (an accept error, too many refusals).
  void pause_accepting(std::chrono::milliseconds pause);
  void make_room();
  void close_all();

  tcp::acceptor acceptor;
  asio::steady_timer retry;  // after an accept error (e.g. out of file descriptors), or too many refusals
  HttpListenerOptions options;
  Handler handler;
  std::map<std::uint64_t, ListenerConnection*> open;  // by order of arrival
  std::uint64_t arrivals = 0;
  bool closed = false;
  AsioTime own_time;
  const Clock& clock;
  std::optional<ClientAcceptRate> rates;  // with accept_rate
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One accepted connection: (TLS handshake,) request, answer, request, ... until the client
// closes, a deadline passes or a request is malformed; or, after an answer that opens an
// event stream, that stream's events until either side closes.
template <class Stream>
class HttpConnection final : public ListenerConnection,
                             public EventStream,
                             public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  template <class... StreamArgs>
  HttpConnection(std::shared_ptr<HttpListener::Core> core, std::string peer, ClientKeys client,
                 StreamArgs&&... stream_args)
      : core_(std::move(core)), stream_(std::forward<StreamArgs>(stream_args)...),
        write_timer_(core_->acceptor.get_executor()), peer_(std::move(peer)), client_(std::move(client)),
        arrival_(core_->arrivals++) {}
  ~HttpConnection() override { core_->open.erase(arrival_); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void start() {
    core_->open.emplace(arrival_, this);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      tcp_stream().expires_after(limits().header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](const error_code& ec) {
        if (ec || self->core_->closed) {
          if (ec) spdlog::debug("event={}_tls_failed peer={} detail={}", self->core_->options.name, self->peer_,
                                log_value(ec.message()));
          return self->close();
        }
        self->read();
      });
    } else {
      read();
    }
  }

  [[nodiscard]] bool answering() const override { return answering_; }
  [[nodiscard]] const ClientKeys& client() const override { return client_; }

  void close() override {
    if (closed_) return;
    closed_ = true;
    core_->open.erase(arrival_);
    write_timer_.cancel();
    error_code ignored;
    tcp_stream().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_stream().close();
  }

  // EventStream
  bool send(std::string bytes) override {
    if (closed_ || !streaming_) return false;
    if (pending_bytes_ + bytes.size() > limits().max_stream_pending) {
      spdlog::info("event={}_stream_dropped peer={} reason=falls_behind pending_bytes={}", core_->options.name, peer_,
                   pending_bytes_);
      close();
      return false;
    }
    pending_bytes_ += bytes.size();
    pending_.push_back(std::move(bytes));
    if (!writing_) write_next();
    return true;
  }
  [[nodiscard]] bool open() const override { return !closed_; }

 private:
  beast::tcp_stream& tcp_stream() { return beast::get_lowest_layer(stream_); }
  const HttpLimits& limits() const { return core_->options.limits; }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    parser_->body_limit(limits().max_body_bytes);
    answering_ = false;
    // The next request's whole header within header_timeout, however slowly it trickles in.
    tcp_stream().expires_after(limits().header_timeout);
    // The header first: Boost 1.74's eager parser skips the body limit check otherwise.
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                              if (ec || self->parser_->is_done()) return self->on_request(ec);
                              self->tcp_stream().expires_after(self->limits().body_timeout);
                              http::async_read(self->stream_, self->buffer_, *self->parser_,
                                               [self](const error_code& ec2, std::size_t) { self->on_request(ec2); });
                            });
  }

  void on_request(const error_code& ec) {
    if (core_->closed) return close();
    if (ec) {
      if (!is_request_error(ec)) return close();  // the client left, or a deadline passed
      spdlog::debug("event={}_bad_request peer={} detail={}", core_->options.name, peer_, log_value(ec.message()));
      return respond(request_error_answer(ec), 11, false);
    }
    const auto& request = parser_->get();
    HttpRequest asked;
    asked.method = text_of(request.method_string());
    asked.path = text_of(request.target());
    asked.path = asked.path.substr(0, asked.path.find('?'));
    if (const auto found = request.find(http::field::authorization); found != request.end()) {
      asked.authorization = text_of(found->value());
    }
    asked.peer_address = peer_;
    respond(core_->handler(asked), request.version(), request.keep_alive());
  }

  void respond(HttpAnswer answer, unsigned version, bool keep_alive) {
    answering_ = true;
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(answer.status));
    response_.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) response_.set(name, value);
    on_stream_ = std::move(answer.on_stream);
    if (on_stream_) {
      // No length: the stream's body ends when the connection does.
      response_.keep_alive(false);
      response_.set(http::field::cache_control, "no-store");
      response_.chunked(false);
    } else {
      response_.keep_alive(keep_alive);
      response_.body() = std::move(answer.body);
      response_.prepare_payload();
    }
    tcp_stream().expires_after(limits().write_timeout);
    if (on_stream_) {
      serializer_.emplace(response_);
      http::async_write_header(stream_, *serializer_,
                               [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                                 if (ec || self->core_->closed) return self->close();
                                 self->start_stream();
                               });
      return;
    }
    http::async_write(stream_, response_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
      if (ec || !self->response_.keep_alive() || self->core_->closed) return self->close();
      self->read();
    });
  }

  // The head is out: from now on events go out as they are sent, each within write_timeout
  // (write_timer_), and anything the client sends, or its leaving, ends the stream.
  void start_stream() {
    streaming_ = true;
    tcp_stream().expires_never();
    stream_.async_read_some(asio::buffer(discard_), [self = this->shared_from_this()](const error_code&, std::size_t) {
      self->close();
    });
    auto callback = std::move(on_stream_);
    callback(this->shared_from_this());
  }

  void write_next() {
    if (pending_.empty() || closed_) return;
    writing_ = true;
    write_timer_.expires_after(limits().write_timeout);
    write_timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (ec || !self->writing_) return;
      spdlog::info("event={}_stream_dropped peer={} reason=write_timeout", self->core_->options.name, self->peer_);
      self->close();
    });
    asio::async_write(stream_, asio::buffer(pending_.front()),
                      [self = this->shared_from_this()](const error_code& ec, std::size_t) {
                        self->writing_ = false;
                        self->write_timer_.cancel();
                        if (ec || self->closed_) return self->close();
                        self->pending_bytes_ -= self->pending_.front().size();
                        self->pending_.pop_front();
                        self->write_next();
                      });
  }

  std::shared_ptr<HttpListener::Core> core_;
  Stream stream_;
  asio::steady_timer write_timer_;
  std::string peer_;
  ClientKeys client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::function<void(std::shared_ptr<EventStream>)> on_stream_;
  std::deque<std::string> pending_;
  std::size_t pending_bytes_ = 0;
  std::array<char, 64> discard_{};
  std::uint64_t arrival_;
  bool answering_ = false;
  bool streaming_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace

void HttpListener::Core::accept() {
  acceptor.async_accept([self = shared_from_this()](const error_code& ec, tcp::socket socket) {
    if (self->closed) return;
    if (ec) {
      spdlog::warn("event={}_accept_failed detail={} retry_s=1", self->options.name, log_value(ec.message()));
      return self->pause_accepting(std::chrono::seconds(1));
    }
    error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    std::string address = peer_ec ? std::string("unknown") : peer.address().to_string();
    ClientKeys client = client_keys(address);
    self->accepted(std::move(socket), std::move(address), std::move(client));
  });
}

void HttpListener::Core::accepted(tcp::socket socket, std::string peer, ClientKeys client) {
  if (rates) {
    const AcceptVerdict verdict = rates->try_connect(client, clock.steady_now());
    if (verdict != AcceptVerdict::kept) {
      spdlog::debug("event={}_connection_refused peer={} reason={}", options.name, log_value(peer),
                    verdict == AcceptVerdict::client_rate ? "client_rate" : "busy");
      error_code ignored;
      socket.close(ignored);
      if (const auto pause = rates->refused(clock.steady_now()); pause.count() > 0) {
        spdlog::debug("event={}_accept_paused pause_ms={} reason=too_many_refused", options.name, pause.count());
        return pause_accepting(pause);
      }
      return accept();
    }
  }
  if (open.size() >= options.limits.max_connections) make_room();
  auto self = shared_from_this();
  if (options.tls != nullptr) {
    std::make_shared<HttpConnection<TlsStream>>(self, std::move(peer), std::move(client), std::move(socket),
                                                *options.tls)
        ->start();
  } else {
    std::make_shared<HttpConnection<beast::tcp_stream>>(self, std::move(peer), std::move(client), std::move(socket))
        ->start();
  }
  accept();
}

// A connection waiting for a request (idle, or sending one too slowly) goes before one being
// answered; of those, one of the client address holding the most connections (then of the /64
// holding the most), its oldest. A new client always gets in, and a flood from a few clients
// sheds its own connections first.
void HttpListener::Core::pause_accepting(std::chrono::milliseconds pause) {
  retry.expires_after(pause);
  retry.async_wait([self = shared_from_this()](const error_code& wait_ec) {
    if (!wait_ec && !self->closed) self->accept();
  });
}

void HttpListener::Core::make_room() {
  std::map<std::string_view, std::size_t> held_by;  // by address, and by /64
  for (const auto& [arrival, connection] : open) {
    ++held_by[connection->client().address];
    if (!connection->client().network.empty()) ++held_by[connection->client().network];
  }
  const auto rank = [&held_by](const ListenerConnection& c) {
    const std::size_t network = c.client().network.empty() ? 0 : held_by[c.client().network];
    return std::tuple(!c.answering(), held_by[c.client().address], network);
  };
  auto victim = open.begin();
  for (auto it = open.begin(); it != open.end(); ++it) {
    if (rank(*it->second) > rank(*victim->second)) victim = it;
  }
  spdlog::debug("event={}_connection_shed open={} peer={}", options.name, open.size(),
                log_value(victim->second->client().address));
  victim->second->close();
}

void HttpListener::Core::close_all() {
  closed = true;
  error_code ignored;
  acceptor.close(ignored);
  retry.cancel();
  std::vector<ListenerConnection*> connections;
  for (const auto& [arrival, connection] : open) connections.push_back(connection);
  for (ListenerConnection* connection : connections) connection->close();
  handler = {};
}

Result<std::unique_ptr<HttpListener>> HttpListener::open(asio::io_context& io, HttpListenerOptions options,
                                                         Handler handler) {
  const std::string where = options.name + " listener on " + options.address + ":" + std::to_string(options.port);
  error_code ec;
  const auto ip = asio::ip::make_address(options.address, ec);
  if (ec) return make_error("listen_failed", where + ": not an IP address");
  const tcp::endpoint endpoint(ip, options.port);
  auto core = std::make_shared<Core>(io, std::move(options), std::move(handler));
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error("listen_failed", where + ": " + ec.message());
  core->accept();
  auto listener = std::unique_ptr<HttpListener>(new HttpListener(std::move(core)));
  spdlog::info("event={}_listening address={} port={} tls={}", listener->core_->options.name,
               log_value(listener->core_->options.address), listener->port(), listener->core_->options.tls != nullptr);
  return listener;
}

HttpListener::~HttpListener() { core_->close_all(); }

void HttpListener::trust(const std::string& peer_address, const std::string& user) {
  if (core_->rates) core_->rates->trust(client_keys(peer_address).address, user, core_->clock.steady_now());
}

void HttpListener::untrust(const std::vector<std::string>& users) {
  if (core_->rates) core_->rates->untrust(users);
}

std::uint16_t HttpListener::port() const {
  error_code ec;
  const auto endpoint = core_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace passgate::drivers
