#include "tests/status_page/page_driver.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>
#include <optional>
#include <sstream>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "tests/support/run_until.hpp"

extern char** environ;

namespace passgate::test {

namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, which sees python3-selenium

struct Pipe {
  std::array<int, 2> fds{-1, -1};
  Pipe() { REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0); }
};

}  // namespace

PageDriver::PageDriver(boost::asio::io_context& io, const std::filesystem::path& dir)
    : io_(io), log_file_(dir / "browser.log"), to_driver_(io), from_driver_(io) {
  const std::string script = std::string(PASSGATE_SOURCE_DIR) + "/tests/status_page/page_driver.py";
  const std::string profile = (dir / "chromium-profile").string();
  Pipe input;
  Pipe output;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.fds[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output.fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::array<char*, 5> argv{const_cast<char*>(kPython), const_cast<char*>("-B"), const_cast<char*>(script.c_str()),
                            const_cast<char*>(profile.c_str()), nullptr};
  const int spawned = ::posix_spawn(&pid_, kPython, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(input.fds[0]);
  ::close(output.fds[1]);
  to_driver_.assign(input.fds[1]);
  from_driver_.assign(output.fds[0]);
  REQUIRE(spawned == 0);
  const auto ready = read_answer(std::chrono::seconds(60));
  INFO(log());
  REQUIRE(ready.value("ready", false));
}

PageDriver::~PageDriver() {
  boost::system::error_code ignored;
  const std::string quit = "{\"cmd\":\"quit\"}\n";
  boost::asio::write(to_driver_, boost::asio::buffer(quit), ignored);
  to_driver_.close(ignored);
  // The driver quits Chromium and exits (its pidfd turns readable); one that hangs is killed.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    boost::asio::posix::stream_descriptor exited(io_, pidfd);
    bool done = false;
    exited.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [&done](const boost::system::error_code&) { done = true; });
    if (!run_until(io_, [&done] { return done; }, std::chrono::seconds(20))) {
      ::kill(pid_, SIGKILL);
      exited.cancel();
      (void)run_until(io_, [&done] { return done; }, std::chrono::seconds(5));
    }
  } else {
    ::kill(pid_, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid_, &status, 0);
  from_driver_.close(ignored);
}

nlohmann::json PageDriver::read_answer(std::chrono::milliseconds limit) {
  std::optional<boost::system::error_code> result;
  boost::asio::async_read_until(from_driver_, boost::asio::dynamic_buffer(received_), '\n',
                                [&result](const boost::system::error_code& ec, std::size_t) { result = ec; });
  const bool answered = run_until(io_, [&] { return result.has_value(); }, limit);
  if (!answered) from_driver_.cancel();
  INFO("the browser's log:\n" << log());
  REQUIRE(answered);
  REQUIRE_FALSE(*result);
  const auto end = received_.find('\n');
  const std::string line = received_.substr(0, end);
  received_.erase(0, end + 1);
  return nlohmann::json::parse(line);
}

nlohmann::json PageDriver::command(const nlohmann::json& command, std::chrono::milliseconds limit) {
  const std::string line = command.dump() + "\n";
  boost::asio::write(to_driver_, boost::asio::buffer(line));
  return read_answer(limit);
}

PageDriver::Waited PageDriver::wait(const std::string& js, std::chrono::milliseconds limit) {
  const auto answer = command({{"cmd", "wait"}, {"js", js}, {"timeout_ms", limit.count()}}, limit + std::chrono::seconds(30));
  return Waited{answer.value("ok", false), answer.value("ms", 0.0)};
}

std::string PageDriver::log() const {
  std::ifstream in(log_file_);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace passgate::test
