// FakeGate: a control socket that answers as the test says, for what the real gate cannot
// easily be made to say (a status with a given lane in fault, a fire alarm with its cause, a
// level not reported yet, a status that changes on cue, a gate that never answers). Serves
// one connection at a time on its own thread: reads one request line, answers it with
// `answer(request)` ({"ok":true} and the fields given; nothing while `silent`), and closes.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace passgate::test {

class FakeGate {
 public:
  // The reply's fields for one request (without "ok"); unset commands are refused as unknown.
  using Answer = std::function<nlohmann::json(const nlohmann::json& request)>;

  explicit FakeGate(std::filesystem::path socket);  // listening once constructed
  ~FakeGate();
  FakeGate(const FakeGate&) = delete;
  FakeGate& operator=(const FakeGate&) = delete;

  [[nodiscard]] const std::filesystem::path& socket() const { return socket_; }
  void answer(const std::string& cmd, Answer answer);
  void answer(const std::string& cmd, const nlohmann::json& reply);
  // From now on: accept and read, but never answer.
  void stay_silent() { silent_ = true; }
  // How many requests with `cmd` came so far; waits (up to 20 s) until at least `n` came.
  [[nodiscard]] int requests(const std::string& cmd) const;
  [[nodiscard]] bool wait_for_requests(const std::string& cmd, int n) const;

 private:
  void serve();
  void handle(int connection);

  std::filesystem::path socket_;
  int listener_ = -1;
  int stop_[2] = {-1, -1};
  std::atomic<bool> silent_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, Answer> answers_;
  std::map<std::string, int> counts_;
  std::thread thread_;
};

// A status reply (passgated/control_status.hpp) of a gate with nothing to look at: gate-a of
// store-0042, entry lane 1 and exit lane 2 idle and in service, both backends reachable,
// nothing queued; up `uptime_s`.
[[nodiscard]] nlohmann::json calm_status(std::int64_t uptime_s = 60);

}  // namespace passgate::test
