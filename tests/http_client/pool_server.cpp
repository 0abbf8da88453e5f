#include "tests/http_client/pool_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <utility>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

namespace passgate::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

bool same_field_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view without_blanks(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  std::string_view rest(head);
  for (auto line_end = rest.find("\r\n"); line_end != std::string_view::npos; line_end = rest.find("\r\n")) {
    rest.remove_prefix(line_end + 2);  // past the request line, then each field
    const std::string_view line = rest.substr(0, rest.find("\r\n"));
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && same_field_name(line.substr(0, colon), name)) {
      return std::string(without_blanks(line.substr(colon + 1)));
    }
  }
  return std::nullopt;
}

std::string http_response(const std::string& status, const std::string& body, const std::string& fields) {
  return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + fields + "\r\n" + body;
}

struct PoolServer::Conn {
  using TlsStream = asio::ssl::stream<tcp::socket>;

  Conn(tcp::socket socket, asio::ssl::context* tls, int n)
      : stream(tls != nullptr ? Stream(std::in_place_type<TlsStream>, std::move(socket), *tls)
                              : Stream(std::in_place_type<tcp::socket>, std::move(socket))),
        number(n) {}

  tcp::socket& socket() {
    if (auto* s = std::get_if<TlsStream>(&stream)) return s->next_layer();
    return std::get<tcp::socket>(stream);
  }

  using Stream = std::variant<tcp::socket, TlsStream>;
  Stream stream;
  int number;
  int requests = 0;
  std::string in;        // received, not yet a whole request
  std::string out;       // being written
  std::array<char, 4096> scratch{};
};

PoolServer::PoolServer(asio::io_context& io, const drivers::TlsServerFiles* tls)
    : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}) {
  if (tls != nullptr) {
    auto made = drivers::make_tls_server_context(*tls);
    if (!made) throw std::runtime_error(made.error().message);
    tls_ = std::move(made.value());
  }
  accept();
}

PoolServer::~PoolServer() {
  // Every pending operation completes with an error, and its handler then leaves `this` alone.
  error_code ignored;
  acceptor_.close(ignored);
  for (const auto& conn : open_) conn->socket().close(ignored);
}

std::string PoolServer::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

void PoolServer::script(int connection, int number, ScriptedAnswer answer) {
  script_[{connection, number}] = std::move(answer);
}

void PoolServer::release() {
  if (!held_) return;
  auto [conn, answer] = std::move(*held_);
  held_.reset();
  answer.held = false;
  send(conn, std::move(answer));
}

void PoolServer::farewell(Farewell how) {
  if (open_.empty()) return;
  const ConnPtr& first = open_.front();
  if (how == Farewell::close) return close(first);
  send(first, ScriptedAnswer{{http_response("408 Request Timeout", "", "Connection: close\r\n")}, true});
}

bool PoolServer::farewell_received() const {
  const auto conn = farewell_.lock();
  if (!conn) return false;
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(conn->socket().native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return false;
  return info.tcpi_state == TCP_FIN_WAIT2 || info.tcpi_state == TCP_TIME_WAIT || info.tcpi_state == TCP_CLOSE;
}

void PoolServer::accept() {
  acceptor_.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec) return;
    auto conn = std::make_shared<Conn>(std::move(socket), tls_.get(), ++accepted_);
    open_.push_back(conn);
    if (std::holds_alternative<Conn::TlsStream>(conn->stream) && conn->number == held_handshake_of_) {
      held_handshake_ = conn;
    } else {
      serve(conn);
    }
    accept();
  });
}

void PoolServer::release_handshake() {
  if (auto conn = std::exchange(held_handshake_, nullptr)) serve(conn);
}

void PoolServer::serve(const ConnPtr& conn) {
  if (auto* tls = std::get_if<Conn::TlsStream>(&conn->stream)) {
    tls->async_handshake(asio::ssl::stream_base::server, [this, conn](const error_code& ec) {
      if (!ec) read(conn);
    });
  } else {
    read(conn);
  }
}

void PoolServer::read(const ConnPtr& conn) {
  std::visit(
      [this, conn](auto& stream) {
        stream.async_read_some(asio::buffer(conn->scratch), [this, conn](const error_code& ec, std::size_t n) {
          if (ec) return;  // the client closed it, or the server is going
          conn->in.append(conn->scratch.data(), n);
          answer_requests(conn);
        });
      },
      conn->stream);
}

// Answers the complete request received, if there is one (the client sends one at a time),
// or reads on.
void PoolServer::answer_requests(const ConnPtr& conn) {
  const auto head_end = conn->in.find("\r\n\r\n");
  if (head_end == std::string::npos) return read(conn);
  ReceivedRequest request{conn->number, conn->requests + 1, conn->in.substr(0, head_end + 2), {}};
  const std::size_t length = std::stoul(request.header("Content-Length").value_or("0"));
  if (conn->in.size() < head_end + 4 + length) return read(conn);
  request.body = conn->in.substr(head_end + 4, length);
  conn->in.erase(0, head_end + 4 + length);
  ++conn->requests;
  received_.push_back(request);

  ScriptedAnswer answer;
  if (auto scripted = script_.extract({conn->number, conn->requests})) {
    answer = std::move(scripted.mapped());
  } else {
    answer.records = {http_response("200 OK", "connection " + std::to_string(conn->number) + " request " +
                                                  std::to_string(conn->requests))};
  }
  if (answer.held) {
    held_.emplace(conn, std::move(answer));
    return;
  }
  send(conn, std::move(answer));
}

// All but the last record go straight into OpenSSL; writing the last through the stream
// sends everything OpenSSL has in one socket write.
void PoolServer::send(const ConnPtr& conn, ScriptedAnswer answer) {
  auto* tls = std::get_if<Conn::TlsStream>(&conn->stream);
  conn->out.clear();
  for (std::size_t i = 0; i + 1 < answer.records.size(); ++i) {
    const std::string& record = answer.records[i];
    if (tls == nullptr) {
      conn->out += record;
    } else if (SSL_write(tls->native_handle(), record.data(), static_cast<int>(record.size())) !=
               static_cast<int>(record.size())) {
      throw std::runtime_error("the test server's SSL_write failed");
    }
  }
  conn->out += answer.records.back();
  std::visit(
      [this, conn, close_after = answer.close_after](auto& stream) {
        asio::async_write(stream, asio::buffer(conn->out), [this, conn, close_after](const error_code& ec, std::size_t) {
          if (ec) return;
          if (close_after) return close(conn);
          answer_requests(conn);
        });
      },
      conn->stream);
}

// Ends the connection for the client (FIN), keeping the socket to watch its state.
void PoolServer::close(const ConnPtr& conn) {
  error_code ignored;
  conn->socket().shutdown(tcp::socket::shutdown_both, ignored);
  farewell_ = conn;
}

}  // namespace passgate::test
