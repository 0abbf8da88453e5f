// FarewellServer: a loopback HTTP/1.1 server for the client's pool tests, on the test's
// io_context. Each request (a GET, no body) is answered 200 with a body naming the connection
// and the request on it ("connection 2 request 1"), and the connection stays open. On demand
// it says goodbye on its first connection while the client holds it idle: it closes it, or
// sends an unsolicited 408 and then closes it, as a proxy's idle time-out does; and it tells
// when the client's side has received all of that (the kernel acknowledged the close).
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace passgate::test {

class FarewellServer {
 public:
  enum class Farewell { close, unsolicited_408 };

  explicit FarewellServer(boost::asio::io_context& io)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
  }

  [[nodiscard]] std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  [[nodiscard]] int connections_accepted() const { return accepted_; }
  // The client's kernel has acknowledged the farewell's close (and so holds the 408 before
  // it): the client can see it without waiting.
  [[nodiscard]] bool farewell_received() const {
    const auto conn = farewell_.lock();
    if (!conn) return false;
    tcp_info info{};
    socklen_t size = sizeof info;
    if (::getsockopt(conn->socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return false;
    return info.tcpi_state == TCP_FIN_WAIT2 || info.tcpi_state == TCP_TIME_WAIT || info.tcpi_state == TCP_CLOSE;
  }
  // Says goodbye on the first connection (which must be open and idle).
  void farewell(Farewell how) {
    const auto conn = first_.lock();
    if (!conn) return;
    if (how == Farewell::close) return close(conn);
    static const std::string k408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    boost::asio::async_write(conn->socket, boost::asio::buffer(k408),
                             [this, conn](const boost::system::error_code&, std::size_t) { close(conn); });
  }

 private:
  using Socket = boost::asio::ip::tcp::socket;
  struct Conn {
    explicit Conn(Socket s, int n) : socket(std::move(s)), number(n) {}
    Socket socket;
    int number;
    int requests = 0;
    std::string received;
    std::string answer;
    char scratch[4096] = {};
  };

  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, Socket socket) {
      if (ec) return;
      auto conn = std::make_shared<Conn>(std::move(socket), ++accepted_);
      if (conn->number == 1) first_ = conn;
      read(conn);
      accept();
    });
  }

  void read(const std::shared_ptr<Conn>& conn) {
    conn->socket.async_read_some(boost::asio::buffer(conn->scratch),
                                 [this, conn](const boost::system::error_code& ec, std::size_t n) {
                                   if (ec) return;  // the client closed it
                                   conn->received.append(conn->scratch, n);
                                   answer(conn);
                                 });
  }

  // Answers each complete request received (the client sends one at a time), then reads on.
  void answer(const std::shared_ptr<Conn>& conn) {
    const auto end = conn->received.find("\r\n\r\n");
    if (end == std::string::npos) return read(conn);
    conn->received.erase(0, end + 4);
    const std::string body =
        "connection " + std::to_string(conn->number) + " request " + std::to_string(++conn->requests);
    conn->answer = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    boost::asio::async_write(conn->socket, boost::asio::buffer(conn->answer),
                             [this, conn](const boost::system::error_code& ec, std::size_t) {
                               if (!ec) answer(conn);
                             });
  }

  // Closes the connection for the client (FIN), keeping the socket to watch its state.
  void close(const std::shared_ptr<Conn>& conn) {
    boost::system::error_code ignored;
    conn->socket.shutdown(Socket::shutdown_both, ignored);
    farewell_ = conn;
    closed_.push_back(conn);
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  std::weak_ptr<Conn> first_;
  std::weak_ptr<Conn> farewell_;
  std::vector<std::shared_ptr<Conn>> closed_;  // kept open on this side until the server goes
  int accepted_ = 0;
};

}  // namespace passgate::test
