#include "tests/scenario/endless_chunk_peer.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <string>

namespace passgate::scenario {

namespace asio = boost::asio;
using asio::ip::tcp;

struct EndlessChunkPeer::Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}

  void start() {
    asio::async_read_until(socket, request, "\r\n\r\n", [self = shared_from_this()](auto error, std::size_t) {
      if (error) return self->finish();
      self->answered = true;
      static const std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1;";
      asio::async_write(self->socket, asio::buffer(head), [self](auto e, std::size_t) {
        if (e) return self->finish();
        self->write_more();
      });
    });
  }

  void write_more() {
    static const std::string extension(64 * 1024, 'a');
    asio::async_write(socket, asio::buffer(extension), [self = shared_from_this()](auto error, std::size_t n) {
      self->taken += n;
      if (error) return self->finish();
      self->write_more();
    });
  }

  void finish() {
    if (done) return;
    done = true;
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  tcp::socket socket;
  asio::streambuf request;
  bool answered = false;
  bool done = false;
  std::uint64_t taken = 0;
};

EndlessChunkPeer::EndlessChunkPeer(asio::io_context& io)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
}

EndlessChunkPeer::~EndlessChunkPeer() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& c : connections_) c->finish();
}

void EndlessChunkPeer::accept() {
  acceptor_.async_accept([this](boost::system::error_code error, tcp::socket socket) {
    if (error) return;
    connections_.push_back(std::make_shared<Connection>(std::move(socket)));
    connections_.back()->start();
    accept();
  });
}

int EndlessChunkPeer::answered() const {
  return static_cast<int>(std::count_if(connections_.begin(), connections_.end(), [](const auto& c) { return c->answered; }));
}

int EndlessChunkPeer::closed_by_client() const {
  return static_cast<int>(std::count_if(connections_.begin(), connections_.end(), [](const auto& c) { return c->done; }));
}

std::uint64_t EndlessChunkPeer::most_taken_by_one() const {
  std::uint64_t most = 0;
  for (const auto& c : connections_) most = std::max(most, c->taken);
  return most;
}

}  // namespace passgate::scenario
