#include "tools/sim/tracking/http_listener.hpp"

#include <functional>
#include <unordered_set>
#include <utility>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace passgate::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kMaxRequestBody = std::size_t{1} << 20;

namespace {

std::string to_std(beast::string_view text) { return std::string(text.data(), text.size()); }

}  // namespace

std::optional<std::string> HttpCall::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
  }
  return std::nullopt;
}

namespace {
class ServerConnection;
}

struct HttpListener::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io_context, std::uint16_t listen_port, std::unique_ptr<asio::ssl::context> tls_context,
       Handler on_call)
      : io(io_context), acceptor(io_context), port(listen_port), tls(std::move(tls_context)),
        handler(std::move(on_call)) {}

  Status listen();
  void accept();
  void drop_connections();

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::uint16_t port;
  const std::unique_ptr<asio::ssl::context> tls;
  Handler handler;
  std::unordered_set<ServerConnection*> open;
  std::size_t accepted = 0;
  unsigned generation = 0;  // bumped on every listen(): older accept loops end
  bool closed = false;
};

namespace {

// One accepted connection: optional TLS handshake, then request, answer, request, ...
class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  using TlsStream = asio::ssl::stream<tcp::socket>;

  ServerConnection(std::shared_ptr<HttpListener::Core> core, tcp::socket socket)
      : core_(std::move(core)),
        stream_(core_->tls ? Stream(std::in_place_type<TlsStream>, std::move(socket), *core_->tls)
                           : Stream(std::in_place_type<tcp::socket>, std::move(socket))),
        delay_(core_->io) {}

  ~ServerConnection() { core_->open.erase(this); }

  void start() {
    core_->open.insert(this);
    auto* tls = std::get_if<TlsStream>(&stream_);
    if (tls == nullptr) return read();
    tls->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](const error_code& ec) {
      if (ec) return self->close();
      self->read();
    });
  }

  void close() {
    error_code ignored;
    socket().close(ignored);
    delay_.cancel();
  }

 private:
  using Stream = std::variant<tcp::socket, TlsStream>;

  tcp::socket& socket() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<tcp::socket>(stream_);
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    // Header first: Boost 1.74's eager parser skips the body limit check otherwise.
    std::visit(
        [self = shared_from_this()](auto& stream) {
          http::async_read_header(stream, self->buffer_, *self->parser_, [self, &stream](const error_code& ec, std::size_t) {
            if (ec || self->parser_->is_done()) return self->answer(ec);
            http::async_read(stream, self->buffer_, *self->parser_,
                             [self](const error_code& ec2, std::size_t) { self->answer(ec2); });
          });
        },
        stream_);
  }

  void answer(const error_code& ec) {
    if (ec || core_->closed) return close();
    const auto& request = parser_->get();
    HttpCall call{to_std(request.method_string()), to_std(request.target()), {}, request.body()};
    for (const auto& field : request) call.headers.emplace_back(to_std(field.name_string()), to_std(field.value()));
    HttpAnswer answer = core_->handler(call);

    response_ = {};
    response_.version(request.version());
    response_.result(static_cast<unsigned>(answer.status));
    response_.set(http::field::server, "passgate-sim");
    response_.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : answer.headers) response_.set(name, value);
    response_.keep_alive(request.keep_alive());
    response_.body() = answer.body;
    response_.prepare_payload();
    drop_ = answer.drop;
    on_delay_end_ = std::move(answer.on_delay_end);
    if (answer.delay.count() <= 0) return deliver();
    delay_.expires_after(answer.delay);
    delay_.async_wait([self = shared_from_this()](const error_code& wait_ec) {
      if (wait_ec || self->core_->closed) return;
      self->deliver();
    });
  }

  void deliver() {
    if (auto done = std::exchange(on_delay_end_, nullptr)) done();
    if (drop_) return close();
    write();
  }

  void write() {
    std::visit(
        [self = shared_from_this()](auto& stream) {
          http::async_write(stream, self->response_, [self](const error_code& ec, std::size_t) {
            if (ec || !self->response_.keep_alive() || self->core_->closed) return self->close();
            self->read();
          });
        },
        stream_);
  }

  std::shared_ptr<HttpListener::Core> core_;
  Stream stream_;
  asio::steady_timer delay_;
  bool drop_ = false;
  std::function<void()> on_delay_end_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

Status HttpListener::Core::listen() {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return make_error("listen_failed", "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
  }
  port = acceptor.local_endpoint().port();
  ++generation;
  accept();
  return {};
}

void HttpListener::Core::accept() {
  acceptor.async_accept([self = shared_from_this(), generation = generation](const error_code& ec, tcp::socket socket) {
    if (self->closed || generation != self->generation || !self->acceptor.is_open()) return;
    if (!ec) {
      ++self->accepted;
      std::make_shared<ServerConnection>(self, std::move(socket))->start();
    }
    self->accept();
  });
}

void HttpListener::Core::drop_connections() {
  const std::vector<ServerConnection*> dropped(open.begin(), open.end());
  for (ServerConnection* connection : dropped) connection->close();
}

Result<std::unique_ptr<HttpListener>> HttpListener::create(asio::io_context& io, std::uint16_t port,
                                                           const drivers::TlsServerFiles* tls, Handler handler) {
  std::unique_ptr<asio::ssl::context> tls_context;
  if (tls != nullptr) {
    auto made = drivers::make_tls_server_context(*tls);
    if (!made) return made.error();
    tls_context = std::move(made.value());
  }
  auto core = std::make_shared<Core>(io, port, std::move(tls_context), std::move(handler));
  if (auto listening = core->listen(); !listening) return listening.error();
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(core)));
}

HttpListener::HttpListener(std::shared_ptr<Core> core) : core_(std::move(core)) {}

HttpListener::~HttpListener() {
  core_->closed = true;
  core_->handler = nullptr;
  stop_accepting();
}

std::uint16_t HttpListener::port() const { return core_->port; }

void HttpListener::stop_accepting() {
  error_code ignored;
  core_->acceptor.close(ignored);
  core_->drop_connections();
}

Status HttpListener::resume_accepting() {
  if (core_->acceptor.is_open()) return {};
  return core_->listen();
}

void HttpListener::drop_connections() { core_->drop_connections(); }

std::size_t HttpListener::connections_accepted() const { return core_->accepted; }

}  // namespace passgate::sim
