// GracefulStop: what passgated does on SIGTERM or SIGINT. It tells systemd STOPPING=1, card
// entry stops (CardLanes::stop: no new tap is taken; what is under way the next start
// resolves), the gate stops admitting (new scans refused with lane_unavailable,
// Gate::stop_admitting), and
// it waits until no lane has a passage under way (Gate::passages_in_progress, checked every
// kCheckEvery), at most kDrainLimit: a shopper who was let in is let through and recorded.
// The fire alarm's states never count as a passage, so an alarm never holds the stop up.
// Then the session-ending writes the database refused and that still wait (denials, cancels
// of unused grants: AdmissionService::write_waiting_now) are tried once more: their list is
// kept in memory only, and a session they would have ended keeps its entry hold queued. Then
// settlement stops (Settlement::stop): its payment drainer records what it has in
// flight as pending again (resent with the same idempotency key at the next start), and the
// loop stops. Everything else the gate decided is already in SQLite (each passage, session
// change and outbox message is its own committed transaction). A second signal stops at once. Single-threaded, on the event loop.
#pragma once

#include <functional>
#include <memory>

#include "common/clock.hpp"
#include "controller/admission/service.hpp"
#include "controller/card_entry/card_lanes.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/settlement/settlement.hpp"
#include "drivers/systemd_notifier.hpp"

namespace passgate::daemon {

class GracefulStop {
 public:
  static constexpr Millis kDrainLimit{10000};
  static constexpr Millis kCheckEvery{50};

  // `stop_loop` ends the event loop (the daemon then returns 0).
  GracefulStop(controller::Gate& gate, controller::CardLanes& cards, controller::Settlement& settlement,
               controller::AdmissionService& admission, drivers::SystemdNotifier& notifier, TimerService& timers,
               Clock& clock, std::function<void()> stop_loop);
  GracefulStop(const GracefulStop&) = delete;
  GracefulStop& operator=(const GracefulStop&) = delete;

  // A stop signal arrived (its number, for the log): the first one starts the drain, a
  // second one stops at once.
  void on_signal(int signal);

 private:
  void check();
  void finish(bool drained);

  controller::Gate& gate_;
  controller::CardLanes& cards_;
  controller::Settlement& settlement_;
  controller::AdmissionService& admission_;
  drivers::SystemdNotifier& notifier_;
  TimerService& timers_;
  Clock& clock_;
  std::function<void()> stop_loop_;
  bool stopping_ = false;
  bool finished_ = false;
  int waiting_for_ = -1;  // passages last reported in STATUS
  SteadyTime started_at_{};
  std::unique_ptr<Timer> check_timer_;
};

}  // namespace passgate::daemon
