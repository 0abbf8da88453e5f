// ControlClient: passgatectl's end of the running gate's control socket
// (drivers/control_server.hpp has the protocol). Blocking, one request at a time: a CLI
// waits for its answer, but never longer than its timeout (--timeout); a watch's wait for
// events ends at a stop signal (stop_signals.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::ctl {

class ControlClient {
 public:
  // Errors: "no_socket" (nothing at that path), "gate_not_running" (a socket file nobody
  // listens on), "permission_denied" (the socket or its directory is not ours to use),
  // "timeout" (not accepted within `timeout`), "io_error"; each message names the socket.
  [[nodiscard]] static Result<ControlClient> connect(const std::filesystem::path& socket,
                                                     std::chrono::milliseconds timeout);
  ControlClient(ControlClient&&) noexcept;
  ControlClient& operator=(ControlClient&&) noexcept;
  ~ControlClient();

  // Sends one request and returns the gate's reply when it says ok; an error reply comes
  // back as its error (code and message: "busy" when the gate dropped this connection to
  // make room); a connection closed without an answer as "gate_busy"; no answer within the
  // timeout as "timeout"; a garbled link as "io_error".
  [[nodiscard]] Result<nlohmann::json> request(const nlohmann::json& request);
  // After a watch request: hands each event line to `on_event` until it returns false or a
  // stop signal comes (then ok), or the gate hangs up ("gate_busy") or refuses ("busy").
  [[nodiscard]] Status read_events(const std::function<bool(const nlohmann::json& event)>& on_event);

 private:
  struct Link;
  explicit ControlClient(std::unique_ptr<Link> link);
  // The next line, parsed; with a deadline unless `watching` (then a stop signal ends the
  // wait: "stopped").
  [[nodiscard]] Result<nlohmann::json> read_line(bool watching);
  // The error an {"ok":false,"error":{...}} reply carries.
  [[nodiscard]] static Error refusal(const nlohmann::json& reply);
  std::unique_ptr<Link> link_;
};

}  // namespace passgate::ctl
