// LineConnection: one accepted Unix stream socket carrying '\n'-delimited messages (the rig
// link, the control socket). It reads lines (hw::LineFramer: bounded length; blank lines and
// CR dropped) and queues writes, one async_write at a time, never blocking. Owned through
// shared_ptr: pending operations keep it alive, so it may be dropped at any time; after
// close() no event is delivered.
// Single-threaded, on the io_context.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/local/stream_protocol.hpp>

#include "hw/line_framer.hpp"

namespace passgate::drivers {

class LineConnection : public std::enable_shared_from_this<LineConnection> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;
  struct Events {
    std::function<void(std::string_view line)> on_line;
    std::function<void()> on_oversize;                     // a line over the limit was dropped
    std::function<void(const std::string& why)> on_closed;  // peer gone or I/O failed
    std::function<void()> on_partial = nullptr;             // optional: bytes came, their line is not whole yet
  };
  // A peer that lets this many messages pile up is not reading: send() refuses more.
  static constexpr std::size_t kMaxQueuedMessages = 1024;

  // Lines longer than `max_line` bytes (without the '\n') are dropped (on_oversize).
  LineConnection(Socket socket, std::size_t max_line, Events events);

  // Starts delivering received lines to the events.
  void start_reading();
  // Queues one message. False if the queue is full (the message is dropped) or closed.
  [[nodiscard]] bool send(std::string message);
  // Closes once everything queued is written (used to refuse a connection politely).
  void close_after_sending();
  // Closes now; queued messages are dropped and no event follows.
  void close();

 private:
  void read_more();
  void write_front();
  void fail(const std::string& why);

  Socket socket_;
  Events events_;
  hw::LineFramer framer_;
  std::array<char, 4096> read_buffer_{};
  std::deque<std::string> queue_;  // front() is being written while writing_
  bool writing_ = false;
  bool close_when_sent_ = false;
  bool closed_ = false;
};

}  // namespace passgate::drivers
