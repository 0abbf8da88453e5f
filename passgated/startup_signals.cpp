#include "passgated/startup_signals.hpp"

#include <pthread.h>

#include <csignal>
#include <cstring>
#include <string>

namespace passgate::daemon {
namespace {

Status change_mask(int how, const char* what) {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  if (const int rc = ::pthread_sigmask(how, &signals, nullptr); rc != 0) {
    return make_error("io_error", std::string(what) + " SIGTERM, SIGINT and SIGHUP: " + std::strerror(rc));
  }
  return {};
}

}  // namespace

Status hold_daemon_signals() { return change_mask(SIG_BLOCK, "cannot block"); }

Status release_daemon_signals() { return change_mask(SIG_UNBLOCK, "cannot unblock"); }

}  // namespace passgate::daemon
