#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace passgate::test {

namespace {

// The test's environment with `overrides` ("NAME=value") replacing or adding variables.
std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
  const auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || name_of(o) == name_of(entry);
    if (!replaced) merged.push_back(entry);
  }
  merged.insert(merged.end(), overrides.begin(), overrides.end());
  return merged;
}

}  // namespace

ChildProcess::ChildProcess(std::string program, std::vector<std::string> args, std::vector<std::string> environment)
    : program_(std::move(program)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> argv;
  argv.push_back(program_.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_entries;
  std::vector<char*> envp;
  if (!environment.empty()) {
    env_entries = merged_environment(environment);
    for (auto& e : env_entries) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  const int rc = ::posix_spawn(&pid_, program_.c_str(), &actions, nullptr, argv.data(),
                               environment.empty() ? environ : envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + program_);
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  reader_ = std::thread([this, fd = fds[0]] { drain(fd); });
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    signal(SIGTERM);
    if (!wait_exit(std::chrono::seconds(10))) {
      signal(SIGKILL);
      (void)wait_exit(std::chrono::seconds(10));
    }
  }
  if (reader_.joinable()) reader_.join();
  if (pidfd_ >= 0) ::close(pidfd_);
}

void ChildProcess::drain(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      changed_.notify_all();
      break;
    }
    output_.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
}

bool ChildProcess::wait_for_output(const std::string& text, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, deadline, [&] { return output_.find(text) != std::string::npos || eof_; }) &&
         output_.find(text) != std::string::npos;
}

bool ChildProcess::wait_for_output_where(const std::function<bool(const std::string&)>& holds,
                                         std::chrono::milliseconds deadline) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, deadline, [&] { return holds(output_) || eof_; }) && holds(output_);
}

std::string ChildProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds deadline) {
  if (status_) return status_;
  pollfd p{pidfd_, POLLIN, 0};
  if (pidfd_ >= 0 && ::poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return std::nullopt;
  int st = 0;
  if (::waitpid(pid_, &st, pidfd_ >= 0 ? 0 : WNOHANG) != pid_) return std::nullopt;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  // Everything it printed is in output() once this returns (unless a grandchild keeps the pipe).
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, deadline, [&] { return eof_; });
  return status_;
}

void ChildProcess::signal(int sig) {
  if (!status_) ::kill(pid_, sig);
}

}  // namespace passgate::test
