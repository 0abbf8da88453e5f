#include "tests/passgatectl/raw_control.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "tests/passgatectl/ctl_fixture.hpp"

namespace passgate::test {

RawControl::RawControl(const std::filesystem::path& socket) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  REQUIRE(fd_ >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket.string();
  REQUIRE(path.size() < sizeof address.sun_path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  const timeval limit{std::chrono::duration_cast<std::chrono::seconds>(kGateLimit).count(), 0};
  REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) == 0);
}

RawControl::~RawControl() { ::close(fd_); }

void RawControl::send(const std::string& bytes) {
  REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

std::string RawControl::read_line() {
  std::string line;
  char c = 0;
  while (::read(fd_, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

nlohmann::json RawControl::ask(const std::string& request) {
  send(request + "\n");
  const std::string reply = read_line();
  INFO("request " << request << " got " << reply);
  REQUIRE_FALSE(reply.empty());
  return nlohmann::json::parse(reply);
}

bool RawControl::closed_by_gate(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return true;  // end of stream (or reset): the gate closed it
  }
}

nlohmann::json ask_raw(const std::filesystem::path& socket, const std::string& request) {
  return RawControl(socket).ask(request);
}

}  // namespace passgate::test
