#include "controller/tracking/reports.hpp"

#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

TrackingReports::TrackingReports(GateIdentity gate, db::Outbox& outbox, db::SessionStore& sessions, Clock& clock,
                                 OutboxSender& sender)
    : gate_(std::move(gate)), outbox_(outbox), sessions_(sessions), clock_(clock), sender_(sender) {}

void TrackingReports::passage(int lane, Direction direction, PassageKind kind,
                              const std::optional<std::string>& session_id) {
  const auto now = clock_.wall_now();
  const auto passage_id = new_uuid_v4();
  const db::OutboxMessage m = passage_message(
      session_id, passage_body(gate_, passage_id, lane, direction, kind, session_id, format_rfc3339_ms(now)));
  spdlog::info("event=passage lane={} direction={} kind={} passage={}{}", lane, to_string(direction), to_string(kind),
               passage_id, session_id ? " session=" + log_value(*session_id) : std::string());
  if (auto queued = outbox_.enqueue(m, unix_millis(now)); !queued.ok()) {
    spdlog::error("event=passage_store_failed lane={} passage={}{} detail={}", lane, passage_id,
                  session_id ? " session=" + log_value(*session_id) : std::string(), log_value(queued.error().message));
    if (session_id) {
      if (unstored_passages_.size() >= kMaxUnstoredSessions) {
        unstored_overflow_ = true;
      } else {
        unstored_passages_.insert(*session_id);
      }
    }
    return;
  }
  sender_.kick();
}

void TrackingReports::grant_unused(const std::string& session_id) {
  const auto cancel = [this, session_id, m = cancel_message(session_id)] {
    return sessions_.mark_cancelled(session_id, m, unix_millis(clock_.wall_now()));
  };
  if (auto done = cancel(); !done.ok()) {
    spdlog::error("event=session_cancel_store_failed session={} next={} detail={}", log_value(session_id),
                  write_later_ ? "retry" : "none", log_value(done.error().message));
    if (write_later_) write_later_(session_id, "cancel of an unused grant", cancel);
    return;
  }
  spdlog::info("event=session_cancelled session={} reason=grant_unused", log_value(session_id));
  sender_.kick();
  if (on_session_ended_) on_session_ended_();
}

}  // namespace passgate::controller
