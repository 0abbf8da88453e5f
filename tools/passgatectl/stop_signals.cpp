#include "tools/passgatectl/stop_signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>

namespace passgate::ctl {

namespace {

std::atomic<bool> g_requested{false};
int g_pipe[2] = {-1, -1};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_stop_signal(int) {
  g_requested.store(true);
  const char byte = 1;
  [[maybe_unused]] const auto written = ::write(g_pipe[1], &byte, 1);  // a full pipe is readable already
}

}  // namespace

StopSignals::StopSignals() {
  if (g_pipe[0] >= 0) throw std::logic_error("StopSignals: one at a time");
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("StopSignals: pipe2 failed");
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int StopSignals::fd() { return g_pipe[0]; }

bool StopSignals::requested() { return g_requested.load(); }

bool stop_requested_within(std::chrono::milliseconds period) {
  if (StopSignals::requested()) return true;
  const auto deadline = std::chrono::steady_clock::now() + period;
  while (!StopSignals::requested()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd stop{StopSignals::fd(), POLLIN, 0};
    ::poll(&stop, StopSignals::fd() >= 0 ? 1 : 0, static_cast<int>(left.count()));  // EINTR: look again
  }
  return true;
}

}  // namespace passgate::ctl
