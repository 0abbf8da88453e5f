#include "controller/admission/token_purge.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

TokenPurge::TokenPurge(db::SessionStore& sessions, TimerService& timers, Clock& clock)
    : sessions_(sessions), timers_(timers), clock_(clock) {
  run();
}

std::optional<std::int64_t> TokenPurge::purge_time_s() {
  auto mark = sessions_.token_purge_mark();
  auto latest = sessions_.latest_session_ms();
  if (!mark.ok() || !latest.ok()) {
    const auto& error = mark.ok() ? latest.error() : mark.error();
    spdlog::warn("event=token_purge_failed detail={}", log_value(error.message));
    return std::nullopt;
  }
  const std::int64_t records_s = vouched_.records_ms(std::max(*mark * 1000, *latest)) / 1000;
  return std::min(unix_seconds(clock_.wall_now()), records_s);
}

void TokenPurge::run() {
  timer_ = timers_.start(kEvery, [this] { run(); });
  const auto by_s = purge_time_s();
  if (!by_s) return;
  vouched_.went_by(*by_s * 1000);
  auto purged = sessions_.purge_used_tokens(*by_s);
  if (!purged.ok()) {
    spdlog::warn("event=token_purge_failed detail={}", log_value(purged.error().message));
    return;
  }
  if (purged->skipped) {
    if (!behind_) {
      spdlog::warn("event=token_purge_skipped reason=wall_clock_behind_records wall_s={} mark_s={} "
                   "detail=\"the wall clock is behind the time used token ids were last purged by; none is "
                   "forgotten until it has caught up\"",
                   *by_s, purged->mark_s);
    }
    behind_ = true;
    return;
  }
  if (behind_) spdlog::info("event=token_purge_resumed mark_s={}", purged->mark_s);
  behind_ = false;
  if (purged->forgotten > 0) spdlog::debug("event=token_ids_purged count={} by_s={}", purged->forgotten, *by_s);
}

}  // namespace passgate::controller
