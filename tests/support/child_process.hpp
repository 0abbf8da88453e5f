// ChildProcess: runs one of the project's programs for a scenario test, capturing its
// standard output and error. wait_for_output() blocks until a text appears (or a deadline
// passes), so tests wait on what the program says instead of sleeping. The destructor
// sends SIGTERM, and SIGKILL if the program has not exited within a few seconds. The program
// inherits the test's environment, with `environment` ("NAME=value" each) set on top of it.
#pragma once

#include <chrono>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace passgate::test {

class ChildProcess {
 public:
  ChildProcess(std::string program, std::vector<std::string> args, std::vector<std::string> environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // True once `text` has appeared in the output; false if the deadline passed or the
  // program exited without printing it.
  [[nodiscard]] bool wait_for_output(const std::string& text, std::chrono::milliseconds deadline);
  // True once `holds(everything printed so far)`; false if the deadline passed or the
  // program exited first. Called with the output lock held: keep it quick.
  [[nodiscard]] bool wait_for_output_where(const std::function<bool(const std::string&)>& holds,
                                           std::chrono::milliseconds deadline);
  // Everything printed so far.
  [[nodiscard]] std::string output() const;
  // Waits for the program to exit by itself; its exit status, or empty on deadline.
  [[nodiscard]] std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  // Sends a signal (SIGTERM, SIGKILL, SIGHUP, ...).
  void signal(int sig);
  [[nodiscard]] int pid() const { return pid_; }

 private:
  void drain(int fd);

  std::string program_;
  int pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> status_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
  std::thread reader_;
};

}  // namespace passgate::test
