#include "passgated/graceful_stop.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::daemon {

namespace {

std::string waiting_status(int passages) {
  return "stopping: waiting for " + std::to_string(passages) + " passage(s)";
}

}  // namespace

GracefulStop::GracefulStop(controller::Gate& gate, controller::CardLanes& cards, controller::Settlement& settlement,
                           controller::AdmissionService& admission, drivers::SystemdNotifier& notifier,
                           TimerService& timers, Clock& clock, std::function<void()> stop_loop)
    : gate_(gate),
      cards_(cards),
      settlement_(settlement),
      admission_(admission),
      notifier_(notifier),
      timers_(timers),
      clock_(clock),
      stop_loop_(std::move(stop_loop)) {}

void GracefulStop::on_signal(int signal) {
  if (finished_) return;
  if (stopping_) {
    spdlog::warn("event=shutdown_forced signal={} passages_in_progress={}", signal, gate_.passages_in_progress());
    return finish(false);
  }
  stopping_ = true;
  started_at_ = clock_.steady_now();
  waiting_for_ = gate_.passages_in_progress();
  spdlog::info("event=shutdown_requested signal={} passages_in_progress={} limit_ms={}", signal, waiting_for_,
               kDrainLimit.count());
  notifier_.stopping(waiting_status(waiting_for_));
  cards_.stop();
  gate_.stop_admitting();
  check();
}

void GracefulStop::check() {
  const int passages = gate_.passages_in_progress();
  if (passages == 0) return finish(true);
  if (clock_.steady_now() - started_at_ >= kDrainLimit) return finish(false);
  if (passages != waiting_for_) {
    waiting_for_ = passages;
    notifier_.status(waiting_status(passages));
  }
  check_timer_ = timers_.start(kCheckEvery, [this] { check(); });
}

void GracefulStop::finish(bool drained) {
  finished_ = true;
  check_timer_.reset();
  const auto waited = std::chrono::duration_cast<Millis>(clock_.steady_now() - started_at_).count();
  if (drained) {
    spdlog::info("event=shutdown_drained waited_ms={} passages_in_progress=0", waited);
  } else {
    spdlog::warn("event=shutdown_drain_incomplete waited_ms={} passages_in_progress={} detail={}", waited,
                 gate_.passages_in_progress(),
                 log_value("stopping anyway; a grant not yet used is cancelled as its lane stops, an entry not yet "
                           "recorded is closed at the next start"));
  }
  if (const std::size_t lost = admission_.write_waiting_now(); lost > 0) {
    spdlog::critical("event=shutdown_holds_to_void sessions={} hint={}", lost,
                     log_value("cancels the database refused are lost with this stop (each logged "
                               "denial_record_lost): void their holds by hand (docs/troubleshooting.md)"));
  }
  if (auto requeued = settlement_.stop(); requeued.ok()) {
    spdlog::info("event=shutdown_persisted payments_requeued={} detail={}", *requeued,
                 log_value("payment operations in flight are resent with the same idempotency key at the next start"));
  } else {
    spdlog::error("event=shutdown_persist_failed detail={} note={}", log_value(requeued.error().message),
                  log_value("operations still marked in flight are resent at the next start"));
  }
  notifier_.status("stopped");
  stop_loop_();
}

}  // namespace passgate::daemon
