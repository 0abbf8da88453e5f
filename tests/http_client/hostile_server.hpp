// HostileServer: a loopback HTTP "backend" for the client's bounds tests, on the test's
// io_context. Every connection it accepts gets `head` once, then `filler` again and again
// for as long as the client keeps the connection open (an empty filler: nothing more, the
// connection stays open). It holds nothing per byte sent, so the test process's memory
// grows only by what the client keeps. It notes when the client closed the connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace passgate::test {

class HostileServer {
 public:
  HostileServer(boost::asio::io_context& io, std::string head, std::string filler)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        head_(std::move(head)), filler_(std::move(filler)) {
    accept();
  }

  [[nodiscard]] unsigned short port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  // Connections the client has closed (read end of stream or a reset).
  [[nodiscard]] int closed_by_client() const { return closed_; }
  [[nodiscard]] std::size_t bytes_sent() const { return sent_; }

 private:
  using Socket = boost::asio::ip::tcp::socket;

  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, Socket socket) {
      if (ec) return;
      auto shared = std::make_shared<Socket>(std::move(socket));
      watch(shared);
      send(shared, head_);
      accept();
    });
  }

  // Reads (and drops) the request, until the client closes the connection.
  void watch(const std::shared_ptr<Socket>& socket) {
    socket->async_read_some(boost::asio::buffer(scratch_), [this, socket](const boost::system::error_code& ec,
                                                                        std::size_t) {
      if (ec) {
        ++closed_;
        return;
      }
      watch(socket);
    });
  }

  void send(const std::shared_ptr<Socket>& socket, const std::string& what) {
    boost::asio::async_write(*socket, boost::asio::buffer(what),
                             [this, socket](const boost::system::error_code& ec, std::size_t n) {
                               sent_ += n;
                               if (!ec && !filler_.empty()) send(socket, filler_);
                             });
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  const std::string head_;
  const std::string filler_;
  char scratch_[4096] = {};
  int closed_ = 0;
  std::size_t sent_ = 0;
};

}  // namespace passgate::test
