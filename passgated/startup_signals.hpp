// The signals passgated handles once it runs, SIGTERM and SIGINT (stop, graceful_stop.hpp)
// and SIGHUP (reload), held back while it starts: until run_daemon has its handlers (Asio
// signal sets, after the database, keys and backend are open) their default action would
// kill a starting daemon, on a log rotation's SIGHUP or a stop that comes early.
//
// hold_daemon_signals() blocks them in the calling thread. Call it first thing in main,
// before any thread starts: every thread started later inherits the block and keeps it, so
// the kernel delivers these signals to the main thread only. A signal that comes while
// they are blocked stays pending. release_daemon_signals() unblocks them in the calling
// thread, once its handlers are installed: a pending one is delivered then, to its handler,
// as if it had come at that moment (a stop requested during start-up stops the gate as soon
// as it runs, with its normal exit code). A start that fails before never releases them:
// the process exits with its start-up error, whatever was sent meanwhile. Once the loop
// has stopped they are held again, so a second stop cannot cut the teardown short (the
// backend drives its outputs to their safe levels last).
// Errors: "io_error" (pthread_sigmask refused; then the signals keep their default action).
#pragma once

#include "common/result.hpp"

namespace passgate::daemon {

[[nodiscard]] Status hold_daemon_signals();
[[nodiscard]] Status release_daemon_signals();

}  // namespace passgate::daemon
