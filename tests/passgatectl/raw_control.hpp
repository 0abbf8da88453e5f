// RawControl: a control-socket client that is not passgatectl, for what other clients may
// send: any JSON (ask), half a line and then nothing (send), or nothing at all. Blocking
// socket calls with a bounded wait (kGateLimit); test code: failures are REQUIRE failures.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace passgate::test {

class RawControl {
 public:
  explicit RawControl(const std::filesystem::path& socket);
  ~RawControl();
  RawControl(const RawControl&) = delete;
  RawControl& operator=(const RawControl&) = delete;

  // Writes `bytes` as they are (no newline added).
  void send(const std::string& bytes);
  // Reads one line (without its '\n'); empty if the gate closed the connection first.
  [[nodiscard]] std::string read_line();
  // Sends `request` and a newline and returns the reply line, parsed.
  [[nodiscard]] nlohmann::json ask(const std::string& request);
  // Whether the gate closes this connection within `limit` (reading and dropping what it sends).
  [[nodiscard]] bool closed_by_gate(std::chrono::milliseconds limit);

 private:
  int fd_ = -1;
};

// One request on a connection of its own: RawControl(socket).ask(request).
[[nodiscard]] nlohmann::json ask_raw(const std::filesystem::path& socket, const std::string& request);

}  // namespace passgate::test
