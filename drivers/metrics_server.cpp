#include "drivers/metrics_server.hpp"

#include <algorithm>
#include <string_view>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/metrics_text.hpp"

namespace passgate::drivers {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

class ScrapeConnection;

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

struct Answer {
  http::status status = http::status::ok;
  std::string content_type;
  std::string body;
};

Answer plain(http::status status, std::string body) { return Answer{status, std::string(kPlainText), std::move(body)}; }

// A parse error of the request itself (as opposed to the connection ending or timing out).
bool is_bad_request(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

Answer bad_request(const error_code& ec) {
  if (ec == http::error::header_limit) {
    return plain(http::status::request_header_fields_too_large, "request header too large\n");
  }
  if (ec == http::error::body_limit) return plain(http::status::payload_too_large, "request body too large\n");
  return plain(http::status::bad_request, "bad request: " + ec.message() + "\n");
}

}  // namespace

struct MetricsServer::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io, MetricsEndpoints handlers) : acceptor(io), retry(io), endpoints(std::move(handlers)) {}

  void accept();
  void make_room();
  void close_all();
  [[nodiscard]] Answer answer(const http::request<http::string_body>& request) const;

  tcp::acceptor acceptor;
  asio::steady_timer retry;  // after an accept error (e.g. out of file descriptors)
  MetricsEndpoints endpoints;
  std::map<std::uint64_t, ScrapeConnection*> open;  // by order of arrival
  std::uint64_t arrivals = 0;
  bool closed = false;
};

namespace {

// One accepted connection: request, answer, request, ... until the client closes, a
// deadline passes or a request is malformed.
class ScrapeConnection : public std::enable_shared_from_this<ScrapeConnection> {
 public:
  ScrapeConnection(std::shared_ptr<MetricsServer::Core> core, tcp::socket socket)
      : core_(std::move(core)), stream_(std::move(socket)), arrival_(core_->arrivals++) {}
  ~ScrapeConnection() { core_->open.erase(arrival_); }
  ScrapeConnection(const ScrapeConnection&) = delete;
  ScrapeConnection& operator=(const ScrapeConnection&) = delete;

  void start() {
    core_->open.emplace(arrival_, this);
    read();
  }

  // Whether it is answering a request (else it waits for one, or for the rest of one).
  [[nodiscard]] bool answering() const { return answering_; }

  void close() {
    core_->open.erase(arrival_);
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(MetricsServer::kMaxHeaderBytes);
    parser_->body_limit(MetricsServer::kMaxBodyBytes);
    answering_ = false;
    // The next request's whole header within kHeaderTimeout, however slowly it trickles in.
    stream_.expires_after(MetricsServer::kHeaderTimeout);
    // The header first: Boost 1.74's eager parser skips the body limit check otherwise.
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](const error_code& ec, std::size_t) {
      if (ec || self->parser_->is_done()) return self->on_request(ec);
      self->stream_.expires_after(MetricsServer::kBodyTimeout);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](const error_code& ec2, std::size_t) { self->on_request(ec2); });
    });
  }

  void on_request(const error_code& ec) {
    if (core_->closed) return close();
    if (ec) {
      if (!is_bad_request(ec)) return close();  // the client left, or a deadline passed
      spdlog::debug("event=metrics_bad_request detail={}", log_value(ec.message()));
      return respond(bad_request(ec), 11, false);
    }
    const auto& request = parser_->get();
    respond(core_->answer(request), request.version(), request.keep_alive());
  }

  void respond(Answer answer, unsigned version, bool keep_alive) {
    answering_ = true;
    response_ = {};
    response_.version(version);
    response_.result(answer.status);
    response_.set(http::field::content_type, answer.content_type);
    if (answer.status == http::status::method_not_allowed) response_.set(http::field::allow, "GET");
    response_.keep_alive(keep_alive);
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    stream_.expires_after(MetricsServer::kWriteTimeout);
    http::async_write(stream_, response_, [self = shared_from_this()](const error_code& ec, std::size_t) {
      if (ec || !self->response_.keep_alive() || self->core_->closed) return self->close();
      self->read();
    });
  }

  std::shared_ptr<MetricsServer::Core> core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::uint64_t arrival_;
  bool answering_ = false;
};

}  // namespace

Answer MetricsServer::Core::answer(const http::request<http::string_body>& request) const {
  std::string_view path(request.target().data(), request.target().size());
  path = path.substr(0, path.find('?'));
  const bool known = path == "/metrics" || path == "/healthz";
  if (!known) return plain(http::status::not_found, "not found; try /metrics or /healthz\n");
  if (request.method() != http::verb::get) return plain(http::status::method_not_allowed, "only GET\n");
  if (path == "/metrics") return Answer{http::status::ok, std::string(prometheus::kTextContentType), endpoints.page()};
  if (const auto problem = endpoints.problem()) {
    return plain(http::status::service_unavailable, "unhealthy: " + *problem + "\n");
  }
  return plain(http::status::ok, "ok\n");
}

void MetricsServer::Core::accept() {
  acceptor.async_accept([self = shared_from_this()](const error_code& ec, tcp::socket socket) {
    if (self->closed) return;
    if (ec) {
      spdlog::warn("event=metrics_accept_failed detail={} retry_s=1", log_value(ec.message()));
      self->retry.expires_after(std::chrono::seconds(1));
      self->retry.async_wait([self](const error_code& wait_ec) {
        if (!wait_ec && !self->closed) self->accept();
      });
      return;
    }
    if (self->open.size() >= kMaxConnections) self->make_room();
    std::make_shared<ScrapeConnection>(self, std::move(socket))->start();
    self->accept();
  });
}

// The oldest connection waiting for a request (idle, or sending one too slowly) goes, else
// the oldest of all: a new client (a scrape, a health check) always gets in.
void MetricsServer::Core::make_room() {
  auto victim = std::find_if(open.begin(), open.end(), [](const auto& entry) { return !entry.second->answering(); });
  if (victim == open.end()) victim = open.begin();
  spdlog::debug("event=metrics_connection_shed open={}", open.size());
  victim->second->close();
}

void MetricsServer::Core::close_all() {
  closed = true;
  error_code ignored;
  acceptor.close(ignored);
  retry.cancel();
  std::vector<ScrapeConnection*> connections;
  for (const auto& [arrival, connection] : open) connections.push_back(connection);
  for (ScrapeConnection* connection : connections) connection->close();
  endpoints = {};
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::open(asio::io_context& io, const std::string& address,
                                                           std::uint16_t port, MetricsEndpoints endpoints) {
  const std::string where = address + ":" + std::to_string(port);
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return make_error("listen_failed", "metrics listener on " + where + ": not an IP address");
  const tcp::endpoint endpoint(ip, port);
  auto core = std::make_shared<Core>(io, std::move(endpoints));
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error("listen_failed", "metrics listener on " + where + ": " + ec.message());
  core->accept();
  auto server = std::unique_ptr<MetricsServer>(new MetricsServer(std::move(core)));
  spdlog::info("event=metrics_listening address={} port={}", log_value(address), server->port());
  return server;
}

MetricsServer::~MetricsServer() { core_->close_all(); }

std::uint16_t MetricsServer::port() const {
  error_code ec;
  const auto endpoint = core_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace passgate::drivers
