#include "tests/passgatectl/fake_gate.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <vector>

namespace passgate::test {

using json = nlohmann::json;

FakeGate::FakeGate(std::filesystem::path socket) : socket_(std::move(socket)) {
  listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listener_ >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket_.string();
  REQUIRE(path.size() < sizeof address.sun_path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener_, 16) == 0);
  REQUIRE(::pipe2(stop_, O_CLOEXEC) == 0);
  thread_ = std::thread([this] { serve(); });
}

FakeGate::~FakeGate() {
  [[maybe_unused]] const auto written = ::write(stop_[1], "x", 1);
  thread_.join();
  ::close(listener_);
  ::close(stop_[0]);
  ::close(stop_[1]);
  ::unlink(socket_.c_str());  // gone, as a stopped gate's socket is
}

void FakeGate::answer(const std::string& cmd, Answer answer) {
  const std::lock_guard lock(mu_);
  answers_[cmd] = std::move(answer);
}

void FakeGate::answer(const std::string& cmd, const json& reply) {
  answer(cmd, [reply](const json&) { return reply; });
}

int FakeGate::requests(const std::string& cmd) const {
  const std::lock_guard lock(mu_);
  const auto it = counts_.find(cmd);
  return it == counts_.end() ? 0 : it->second;
}

bool FakeGate::wait_for_requests(const std::string& cmd, int n) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(20), [&] {
    const auto it = counts_.find(cmd);
    return it != counts_.end() && it->second >= n;
  });
}

void FakeGate::serve() {
  std::vector<int> held;  // silent: connections kept open, never answered
  while (true) {
    pollfd fds[2] = {{stop_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[0].revents != 0) break;
    const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    handle(connection);
    if (silent_) {
      held.push_back(connection);
    } else {
      ::close(connection);
    }
  }
  for (const int fd : held) ::close(fd);
}

void FakeGate::handle(int connection) {
  std::string line;
  char c = 0;
  while (true) {
    pollfd fds[2] = {{stop_[0], POLLIN, 0}, {connection, POLLIN, 0}};
    if (::poll(fds, 2, 20'000) <= 0 || fds[0].revents != 0) return;
    if (::read(connection, &c, 1) != 1) return;
    if (c == '\n') break;
    line += c;
  }
  const json request = json::parse(line, nullptr, false);
  const std::string cmd = request.is_object() ? request.value("cmd", "") : "";
  Answer answer;
  {
    const std::lock_guard lock(mu_);
    ++counts_[cmd];
    if (const auto it = answers_.find(cmd); it != answers_.end()) answer = it->second;
  }
  changed_.notify_all();
  if (silent_) return;
  json reply = answer ? answer(request) : json{{"error", {{"code", "unknown_command"}, {"message", "unknown command"}}}};
  reply["ok"] = answer && !reply.contains("error");  // an answer may be a refusal: {"error": {...}}
  const std::string text = reply.dump() + "\n";
  [[maybe_unused]] const auto sent = ::send(connection, text.data(), text.size(), MSG_NOSIGNAL);
}

json calm_status(std::int64_t uptime_s) {
  const json no_alarms{{"tailgate", 0}, {"forced", 0}, {"wrong_way", 0}, {"beam_blocked", 0}, {"barrier_obstructed", 0},
                       {"scanner_fault", 0}};
  return json{
      {"store_id", "store-0042"},
      {"gate_id", "gate-a"},
      {"config_file", "/etc/passgate/passgate.toml"},
      {"database", "/var/lib/passgate/passgate.db"},
      {"started_at", "2026-11-18T11:02:40.113Z"},
      {"uptime_s", uptime_s},
      {"fire_alarm", false},
      {"lanes",
       {{{"lane", 1}, {"kind", "entry"}, {"state", "idle"}, {"in_service", true},
         {"scanner", {{"name", "lane1.entry"}, {"connected", true}}}, {"alarms", no_alarms},
         {"active_alarms", json::array()}},
        {{"lane", 2}, {"kind", "exit"}, {"state", "idle"}, {"in_service", true}, {"alarms", no_alarms},
         {"active_alarms", json::array()}}}},
      {"tracking", {{"state", "reachable"}, {"since", "2026-11-18T11:02:40.517Z"}, {"since_ms", 1795518160517}}},
      {"outbox", 0},
      {"outbox_oldest_age_s", 0},
      {"outbox_dead_letters", 0},
      {"outbox_stuck", false},
      {"wall_clock_stepped_back", false},
      {"sessions_total", 12},
      {"sessions_open", 2},
      {"sessions_open_offline", 0},
      {"sessions_by_state", {{"cancelled", 0}, {"denied", 0}, {"open", 12}, {"open_offline", 0}, {"opening", 0}}},
      {"sessions_refused_24h", 0},
      {"sealing_keys_in_use", json::array()},
      {"gateway", {{"state", "reachable"}, {"since", "2026-11-18T11:02:41.000Z"}, {"since_ms", 1795518161000}}},
      {"payment_queue",
       {{"outstanding", 0}, {"owed_minor", json::object()}, {"oldest_age_s", nullptr}, {"dead_letters", 0},
        {"quarantined_carts", 0}}},
      {"settlements", {{"decided", 10}, {"settled", 10}}},
      {"attention", json::array()}};
}

}  // namespace passgate::test
