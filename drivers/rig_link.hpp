// RigLink: the `sim` IoBackend. The gate's lines and scanners travel over a Unix stream
// socket to a hardware-in-the-loop rig or the rig simulator (docs/interfaces/rig-protocol.md).
//
// - Listens on the configured path (a stale socket file there is replaced, anything else
//   is an error), mode 0660. One rig at a time: a second connection gets an "error"
//   message and is closed.
// - On connect the rig gets one "out" message per output line with its current level;
//   afterwards set_output() sends only changes, display() sends "display" messages.
// - The rig's "in" messages reach IoListener::on_input (only when a level changes);
//   "scan" messages reach IoListener::on_scan raw (the controller normalizes). "v" may be
//   0/1 or false/true. Unknown types, unknown line or scanner names, malformed JSON and
//   lines over 4096 bytes get an "error" reply; the connection stays open. Blank lines
//   are ignored.
// - Inputs start at their safe default: inactive, except fire_alarm, which is active
//   while no rig is connected (at start and after a disconnect: a lost supervision loop
//   is an alarm) and stays so after a (re)connect until the rig reports it inactive. The
//   listener hears about active inputs right after set_listener(), posted to the loop.
//   Other inputs keep their last level when the rig disconnects.
// - A rig that stops reading (its send queue full) is dropped. Like any disconnect, the
//   fire_alarm it raises reaches the listener from the loop, never from inside the
//   set_output() or display() call whose send failed.
// Single-threaded: call only from the thread running the io_context. Never blocks.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "hw/gate_lines.hpp"
#include "hw/io_backend.hpp"

namespace passgate::drivers {

class RigLink final : public hw::IoBackend {
 public:
  // Creates the socket at `socket_path` and starts accepting on `io`. `lines` names every
  // input, output and scanner of this gate (hw::gate_lines(); fire_alarm is added to the
  // inputs if missing). Errors: "invalid_argument"
  // (path empty or too long for a Unix socket, or taken by something that is not a
  // socket), "io_error" (the socket cannot be created, bound, chmod-ed or listened on).
  [[nodiscard]] static Result<std::unique_ptr<RigLink>> open(boost::asio::io_context& io,
                                                             const std::filesystem::path& socket_path,
                                                             hw::GateLines lines);
  // Closes the connection and the listening socket and removes the socket file.
  ~RigLink() override;
  RigLink(const RigLink&) = delete;
  RigLink& operator=(const RigLink&) = delete;

  // hw::IoBackend
  void set_listener(hw::IoListener* listener) override;
  // Unknown line names are logged and ignored.
  void set_output(const std::string& line, bool active) override;
  [[nodiscard]] bool output(const std::string& line) const override;
  void display(int lane, const std::string& text) override;
  // The rig's scanners: connected while a rig is (and reported so to the listener).
  [[nodiscard]] std::vector<hw::ScannerInfo> scanners() const override;
  // Every input line of the gate, as the rig has them all.
  [[nodiscard]] std::vector<std::string> input_lines() const override;
  // While no rig is connected.
  [[nodiscard]] std::optional<std::string> fire_alarm_held() const override;

  [[nodiscard]] bool rig_connected() const;

 private:
  class Server;  // the listening socket and the current rig (rig_link.cpp)
  explicit RigLink(std::shared_ptr<Server> server);
  std::shared_ptr<Server> server_;  // shared with pending accepts, which may outlive us
};

}  // namespace passgate::drivers
