#include "controller/metrics/gate_alerts.hpp"

#include "common/time_format.hpp"

namespace passgate::controller {

std::optional<std::string> outbox_stuck(const db::OutboxSummary& outbox, std::int64_t now_ms,
                                        std::chrono::seconds alert_after) {
  if (!outbox.oldest) return std::nullopt;
  const std::int64_t age_s = (now_ms - outbox.oldest->created_at_ms) / 1000;
  if (age_s < alert_after.count()) return std::nullopt;
  std::string why = std::to_string(outbox.waiting) +
                    " message(s) for the tracking engine not delivered, the oldest " + std::to_string(age_s) +
                    " s old (over outbox_alert_after_s " + std::to_string(alert_after.count()) + ")";
  if (!outbox.oldest->last_error.empty()) why += "; last error: " + outbox.oldest->last_error;
  if (outbox.dead_letters > 0) {
    why += "; " + std::to_string(outbox.dead_letters) +
           " dead letter(s) hold back their sessions' messages (passgatectl outbox)";
  }
  return why;
}

std::optional<std::string> clock_stepped_back(const std::optional<NoticedStepBack>& step, SteadyTime now) {
  if (!step || now - step->noticed_at >= kClockStepAlertFor) return std::nullopt;
  const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - step->noticed_at);
  return "the wall clock stepped back by " + std::to_string((step->step.high_water_ms - step->step.now_ms) / 1000) +
         " s, noticed " + std::to_string(ago.count()) +
         " s ago (an NTP correction, or a board without a clock battery); check the time source (docs/clocks.md)";
}

std::optional<std::string> entry_refused_by_clock(std::int64_t purge_mark_s, std::int64_t now_s) {
  if (now_s + db::kUsedTokenMarginS >= purge_mark_s) return std::nullopt;
  return "every entry token is refused as expired: the wall clock is " + std::to_string(purge_mark_s - now_s) +
         " s behind the time used token ids were last purged by (" + format_rfc3339_ms(WallTime(std::chrono::seconds(purge_mark_s))) +
         "), so it cannot tell a used token from a new one; set the clock right (NTP, a clock battery), entry comes "
         "back by itself (docs/clocks.md)";
}

}  // namespace passgate::controller
