// RigConnection: the rig's end of the gate's rig link (docs/interfaces/rig-protocol.md). An Asio Unix
// stream socket client: sends `in` and `scan` messages as one JSON object per line, and feeds
// the gate's `out` and `display` messages into a GateView. The gate's `error` replies, lines
// the rig cannot understand and the end of the link are reported through Events.
// Single-threaded: everything runs on the io_context given at construction.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <string>

#include "common/result.hpp"
#include "tools/sim/rig/gate_view.hpp"
#include "tools/sim/rig/wires.hpp"

namespace passgate::sim {

// Longest line either side may send, newline excluded.
inline constexpr std::size_t kMaxRigLine = 4096;

class RigConnection final : public RigWires {
 public:
  struct Events {
    std::function<void(const std::string& msg)> gate_error;  // the gate refused our last message
    std::function<void(const std::string& what)> problem;    // a line from the gate made no sense
    std::function<void(const std::string& why)> lost;        // the gate closed the link, or it failed
  };

  RigConnection(boost::asio::io_context& io, GateView& view, Events events);

  // Connects to the gate's socket and starts reading. Error code "connect_failed", with the
  // socket path and the system's reason in the message.
  [[nodiscard]] Status connect(const std::filesystem::path& socket);
  [[nodiscard]] bool connected() const { return socket_.is_open(); }
  // Sends what is queued, then closes the link and calls `closed` (without a `lost` event).
  void close(std::function<void()> closed);

  void set_input(const std::string& line, bool active) override;
  void scan(const std::string& scanner, const std::string& text) override;

 private:
  void send(std::string line);
  void write_next();
  void read_next();
  void handle_line(const std::string& line);
  void fail(const std::string& why);
  void finish_close();

  boost::asio::local::stream_protocol::socket socket_;
  GateView& view_;
  Events events_;
  boost::asio::streambuf input_{kMaxRigLine + 1};
  std::deque<std::string> outgoing_;
  bool writing_ = false;
  std::function<void()> on_closed_;  // set while closing
};

}  // namespace passgate::sim
