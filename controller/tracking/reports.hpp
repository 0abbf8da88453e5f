// TrackingReports: the lanes' passages and unused grants, turned into tracking-engine
// messages and written to the durable outbox (the cancel together with the session's
// state change), then handed to the OutboxSender. A cancel the database refuses is written
// again later (set_write_later).
#pragma once

#include <functional>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "controller/admission/write_later.hpp"
#include "controller/lanes/ports.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/tracking/messages.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

class TrackingReports final : public LaneReports {
 public:
  TrackingReports(GateIdentity gate, db::Outbox& outbox, db::SessionStore& sessions, Clock& clock,
                  OutboxSender& sender);

  void passage(int lane, Direction direction, PassageKind kind,
               const std::optional<std::string>& session_id) override;
  void grant_unused(const std::string& session_id) override;
  // Called after a session was cancelled (e.g. the settlement planner, to void its hold).
  void set_on_session_ended(std::function<void()> ended) { on_session_ended_ = std::move(ended); }
  // Where a cancel the database refused goes, to be written again until it is taken
  // (AdmissionService::write_later: its entry hold is not sent meanwhile). Without it, the
  // cancel is only logged.
  void set_write_later(WriteLater later) { write_later_ = std::move(later); }
  // Whether a passage on `session_id` was seen in this run but the database refused to store
  // it (event=passage_store_failed: its session's passage count missed it). Somebody entered
  // on it; an operator's cancel is refused. True for every session once more than
  // kMaxUnstoredSessions such sessions were seen (they are no longer told apart).
  [[nodiscard]] bool passage_unstored(const std::string& session_id) const {
    return unstored_overflow_ || unstored_passages_.contains(session_id);
  }
  static constexpr std::size_t kMaxUnstoredSessions = 65536;

 private:
  GateIdentity gate_;
  db::Outbox& outbox_;
  db::SessionStore& sessions_;
  Clock& clock_;
  OutboxSender& sender_;
  std::function<void()> on_session_ended_;
  WriteLater write_later_;
  std::set<std::string> unstored_passages_;  // passage_unstored's sessions
  bool unstored_overflow_ = false;
};

}  // namespace passgate::controller
