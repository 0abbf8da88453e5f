// Test side of the rig socket: a rig client in the same process as the RigLink, plus
// run_until(), which runs the io_context until a condition holds (bounded, no sleeping).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>
#include <nlohmann/json.hpp>

namespace passgate::test {

// Runs `io` until `done()` holds or 5 s of real time have passed; returns done().
[[nodiscard]] bool run_until(boost::asio::io_context& io, const std::function<bool()>& done);

class RigTestClient {
 public:
  RigTestClient(boost::asio::io_context& io, const std::filesystem::path& socket_path);

  // Sends raw bytes (a message line must end in '\n').
  void send_raw(const std::string& bytes);
  void send(const nlohmann::json& message) { send_raw(message.dump() + "\n"); }
  void close();

  // Every message received so far, parsed, in order.
  [[nodiscard]] const std::vector<nlohmann::json>& received() const { return received_; }
  // Received messages of type `t`.
  [[nodiscard]] std::vector<nlohmann::json> received_of(const std::string& t) const;
  // The gate closed the connection.
  [[nodiscard]] bool closed_by_gate() const { return eof_; }

 private:
  void read_next();

  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::streambuf buffer_;
  std::vector<nlohmann::json> received_;
  bool eof_ = false;
};

}  // namespace passgate::test
