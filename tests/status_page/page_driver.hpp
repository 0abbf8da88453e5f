// PageDriver: one headless Chromium for a test file, run by tests/status_page/page_driver.py
// (Selenium, WebDriver) as a child process: a command is one JSON line to its standard input,
// its answer one JSON line from its standard output, read by running the test's io_context
// (bounded, never sleeping). The browser's own chatter goes to a log file in `dir`.
// Test code: failures are Catch2 REQUIRE failures. Single-threaded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <nlohmann/json.hpp>

namespace passgate::test {

class PageDriver {
 public:
  // Starts the browser (its profile and log under `dir`) and waits until it is ready.
  PageDriver(boost::asio::io_context& io, const std::filesystem::path& dir);
  ~PageDriver();
  PageDriver(const PageDriver&) = delete;
  PageDriver& operator=(const PageDriver&) = delete;

  // Sends `command` and returns its answer (REQUIRE: one came within `limit`).
  nlohmann::json command(const nlohmann::json& command, std::chrono::milliseconds limit = std::chrono::seconds(30));
  // {"cmd": "wait"}: whether the page's `js` became true within `limit`, and how long it took (ms).
  struct Waited {
    bool ok = false;
    double ms = 0;
  };
  Waited wait(const std::string& js, std::chrono::milliseconds limit);
  // The browser's log so far (for a failure's message).
  [[nodiscard]] std::string log() const;

 private:
  nlohmann::json read_answer(std::chrono::milliseconds limit);

  boost::asio::io_context& io_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  boost::asio::posix::stream_descriptor to_driver_;
  boost::asio::posix::stream_descriptor from_driver_;
  std::string received_;
};

}  // namespace passgate::test
