#include "controller/admission/interrupted_sessions.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/tracking/messages.hpp"

namespace passgate::controller {

void recover_interrupted_sessions(db::SessionStore& sessions, Clock& clock) {
  auto opening = sessions.in_state(db::SessionState::opening);
  if (!opening.ok()) {
    spdlog::error("event=session_recovery_failed detail={}",
                  log_value("cannot list interrupted sessions: " + opening.error().message));
    return;
  }
  for (const auto& s : opening.value()) {
    const db::OutboxMessage open = open_message(s.session_id, s.open_request);
    const db::OutboxMessage cancel = cancel_message(s.session_id);
    if (auto done = sessions.abandon_opening(s.session_id, open, cancel, unix_millis(clock.wall_now())); !done.ok()) {
      spdlog::error("event=session_recovery_failed session={} detail={}", log_value(s.session_id),
                    log_value("left opening by a restart, could not be closed: " + done.error().message));
      continue;
    }
    spdlog::warn("event=session_interrupted session={} detail=\"interrupted before admission by a restart; the "
                 "tracking engine is told it is cancelled\"",
                 log_value(s.session_id));
  }
}

}  // namespace passgate::controller
