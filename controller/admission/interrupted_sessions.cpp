#include "controller/admission/interrupted_sessions.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/tracking/messages.hpp"

namespace passgate::controller {

Status recover_interrupted_sessions(db::SessionStore& sessions, Clock& clock, const WriteLater& write_later) {
  auto opening = sessions.in_state(db::SessionState::opening);
  if (!opening.ok()) {
    return make_error(opening.error().code, "cannot list the sessions a restart interrupted: " + opening.error().message);
  }
  for (const auto& s : opening.value()) {
    const auto close = [&sessions, &clock, id = s.session_id, open = open_message(s.session_id, s.open_request),
                        cancel = cancel_message(s.session_id)] {
      return sessions.abandon_opening(id, open, cancel, unix_millis(clock.wall_now()));
    };
    if (auto done = close(); !done.ok()) {
      spdlog::error("event=session_recovery_failed session={} next=retry detail={}", log_value(s.session_id),
                    log_value("left opening by a restart, could not be closed: " + done.error().message));
      write_later(s.session_id, "close of an entry interrupted by a restart", close);
      continue;
    }
    spdlog::warn("event=session_interrupted session={} detail=\"interrupted before admission by a restart; the "
                 "tracking engine is told it is cancelled\"",
                 log_value(s.session_id));
  }
  return {};
}

}  // namespace passgate::controller
