// EndlessChunkPeer: a hostile HTTP peer for scenario tests. It listens on a loopback port and
// answers every request with `200`, `Transfer-Encoding: chunked` and a chunk header whose
// extension never ends (`1;aaaa…`, no CRLF), written for as long as the client reads; it
// counts what each connection took. Runs on the test's io_context; single-threaded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace passgate::scenario {

class EndlessChunkPeer {
 public:
  explicit EndlessChunkPeer(boost::asio::io_context& io);
  ~EndlessChunkPeer();
  EndlessChunkPeer(const EndlessChunkPeer&) = delete;
  EndlessChunkPeer& operator=(const EndlessChunkPeer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Requests answered so far, and the connections the client has closed.
  [[nodiscard]] int answered() const;
  [[nodiscard]] int closed_by_client() const;
  // The most bytes one connection took before the client closed it or stopped reading.
  [[nodiscard]] std::uint64_t most_taken_by_one() const;

 private:
  struct Connection;
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::shared_ptr<Connection>> connections_;
};

}  // namespace passgate::scenario
