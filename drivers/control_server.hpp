// ControlServer: the gate's local control socket, through which passgatectl talks to the
// running passgated (docs/operations.md). A Unix stream socket, mode 0660 (optionally owned by
// an operators' group), carrying one JSON object per line (at most 64 KiB):
//   request  {"cmd":"lanes"}  {"cmd":"lane.service","lane":1,"in_service":false,"operator":"ann"}
//   reply    {"ok":true,...}  or  {"ok":false,"error":{"code":"unknown_lane","message":"..."}}
// Every request gets exactly one reply, in order. A handler may keep the peer to send
// {"event":...} lines later (live views); they stop when the client hangs up. Malformed
// lines are answered with an error by the server itself and never reach the handler.
// Who connected (SO_PEERCRED uid and gid) is known for audit logs.
// Bounded against hostile or stuck clients: a request over 64 KiB is refused; a connection
// that has not sent a whole request within `request_timeout` (counted from its connection,
// or from the first byte of its next request) gets a "request_timeout" error and is closed;
// at kMaxClients, the oldest connection that owes a request (else the oldest of all) gets a
// "busy" error and is closed to make room, so a new client always gets in.
// Single-threaded, on the io_context; never blocks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::drivers {

class ControlPeer {
 public:
  virtual ~ControlPeer() = default;
  // Queues one message line. False when the client is gone or not reading (then it is dropped).
  virtual bool send(const nlohmann::json& message) = 0;
  [[nodiscard]] virtual bool connected() const = 0;
  // The connecting user and group (SO_PEERCRED), for audit logs.
  [[nodiscard]] virtual uid_t uid() const = 0;
  [[nodiscard]] virtual gid_t gid() const = 0;
};

// Called for every well-formed request (a JSON object with a string "cmd"). It must send
// exactly one reply through the peer, now or later.
using ControlHandler = std::function<void(const nlohmann::json& request, const std::shared_ptr<ControlPeer>& peer)>;

// The reply shapes every command shares.
[[nodiscard]] nlohmann::json control_ok(nlohmann::json fields = nlohmann::json::object());
[[nodiscard]] nlohmann::json control_error(const Error& error);

class ControlServer {
 public:
  static constexpr std::size_t kMaxRequestBytes = 64 * 1024;
  static constexpr std::size_t kMaxClients = 16;

  // Listens on `socket` (see drivers/unix_listener.hpp for the checks and errors).
  [[nodiscard]] static Result<std::unique_ptr<ControlServer>> open(boost::asio::io_context& io,
                                                                   const std::filesystem::path& socket,
                                                                   std::optional<gid_t> group,
                                                                   std::chrono::milliseconds request_timeout,
                                                                   ControlHandler handler);
  // Closes every connection and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

 private:
  class Impl;
  explicit ControlServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace passgate::drivers
