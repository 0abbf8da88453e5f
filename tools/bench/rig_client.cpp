#include "tools/bench/rig_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace passgate::bench {

using Clock = std::chrono::steady_clock;

RigClient::RigClient(const std::string& socket_path) {
  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (fd_.get() < 0 || ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error(os_error("cannot connect to " + socket_path, errno).message);
  }
}

void RigClient::send(const nlohmann::json& message) {
  const std::string line = message.dump() + "\n";
  if (::write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("write to the gate failed");
  }
}

void RigClient::input(const std::string& line, bool active) { send({{"t", "in"}, {"line", line}, {"v", active ? 1 : 0}}); }

void RigClient::scan(const std::string& scanner, const std::string& data) {
  send({{"t", "scan"}, {"scanner", scanner}, {"data", data}});
}

std::optional<nlohmann::json> RigClient::next(Clock::time_point until) {
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto message = nlohmann::json::parse(buffer_.substr(0, nl));
      buffer_.erase(0, nl + 1);
      return message;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd p{fd_.get(), POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) return std::nullopt;
    char chunk[4096];
    const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
    if (n <= 0) throw std::runtime_error("the gate closed the rig link");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<RigClient::OutputChange> RigClient::take(const nlohmann::json& m) {
  const std::string type = m.value("t", "");
  if (type == "out") {
    OutputChange change{m.value("line", ""), m.value("v", 0) == 1};
    outputs_[change.line] = change.level;
    return change;
  }
  if (type == "display") {
    last_display_ = m.value("text", "");
  } else if (type == "error") {
    throw std::runtime_error("the gate refused a message: " + m.value("msg", ""));
  }
  return std::nullopt;
}

void RigClient::wait_output(const std::string& line, bool level, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  for (auto known = outputs_.find(line); known == outputs_.end() || known->second != level; known = outputs_.find(line)) {
    const auto m = next(until);
    if (!m) throw std::runtime_error("the gate did not answer in time (last display: \"" + last_display_ + "\")");
    (void)take(*m);
  }
}

std::optional<RigClient::OutputChange> RigClient::next_output(Clock::time_point until) {
  while (const auto m = next(until)) {
    if (auto change = take(*m)) return change;
  }
  return std::nullopt;
}

void RigClient::walk_in(const std::string& lane) {
  input(lane + ".beam_outer", true);
  input(lane + ".beam_inner", true);
  input(lane + ".beam_outer", false);
  input(lane + ".beam_inner", false);
}

void RigClient::clear_entry_lane(const std::string& lane) {
  input(lane + ".beam_outer", false);
  input(lane + ".beam_inner", false);
  wait_output(lane + ".release_in", false);
}

}  // namespace passgate::bench
