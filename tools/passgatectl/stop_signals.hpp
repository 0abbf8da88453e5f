// StopSignals: Ctrl-C (SIGINT) and SIGTERM as a request to stop, for the commands that watch
// the gate until told to stop (status --watch, hw inputs|scanners --watch). While one lives,
// those signals no longer end the process at once: its waits (stop_requested_within,
// ControlClient's stoppable reads) see them and return, and the command ends after its last
// complete line, exit code 0.
#pragma once

#include <chrono>

namespace passgate::ctl {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Readable once a stop signal came (it stays readable); -1 while no StopSignals lives.
  [[nodiscard]] static int fd();
  [[nodiscard]] static bool requested();
};

// Waits `period` or until a stop signal comes; true if one came (also before the call).
[[nodiscard]] bool stop_requested_within(std::chrono::milliseconds period);

}  // namespace passgate::ctl
