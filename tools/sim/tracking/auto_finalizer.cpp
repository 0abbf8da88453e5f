#include "tools/sim/tracking/auto_finalizer.hpp"

#include <utility>

namespace passgate::sim {

AutoFinalizer::AutoFinalizer(TrackingEngine& engine, TimerService& timers, AutoFinalizeSettings settings,
                             std::function<void(const AutoFinalizeLog&)> on_done)
    : engine_(engine),
      timers_(timers),
      settings_(std::move(settings)),
      on_done_(std::move(on_done)),
      carts_(settings_.cart_seed) {}

void AutoFinalizer::passage(const TrackingPassage& passage) {
  if (passage.kind != "admitted" || !passage.session_id) return;
  const std::string& session_id = *passage.session_id;
  if (!seen_.insert(session_id).second) return;  // a later member of the same group
  waiting_.emplace(session_id, timers_.start(settings_.after, [this, session_id] { finalize(session_id); }));
}

void AutoFinalizer::finalize(const std::string& session_id) {
  const auto timer = waiting_.extract(session_id);  // this callback's own timer, released on return
  AutoFinalizeLog log{session_id, false, 0, 0, {}};
  const TrackingSession* session = engine_.find_session(session_id);
  if (session == nullptr) {
    log.skipped = "the engine has no such session";
  } else if (session->state != TrackingSessionState::open) {
    log.skipped = std::string("the session is already ") + to_string(session->state);
  } else if (auto done = engine_.finalize_cart(session_id, settings_.currency, carts_.next_for(session->shopper));
             !done) {
    log.skipped = done.error().message;
  } else {
    const TrackingSession& final_session = *engine_.find_session(session_id);
    log.finalized = true;
    log.total_minor = cart_total_minor(final_session);
    log.items = final_session.items.size();
  }
  report(log);
}

void AutoFinalizer::report(const AutoFinalizeLog& log) const {
  if (on_done_) on_done_(log);
}

}  // namespace passgate::sim
