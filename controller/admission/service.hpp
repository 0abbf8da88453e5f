// AdmissionService: the entry path from a scanned token to a committed session.
//   1. verify the token offline (crypto/), checks 1-7 of docs/interfaces/entry-token.md#order-of-checks;
//   2. commit the session, its token id, its sealed payment reference and its open request
//      (held in the outbox while the session is opening) in one transaction, the one synced
//      commit before the barrier moves (a used jti → replayed). Scans that arrive together,
//      on any lanes, share that commit (group commit: they are begun on the next loop turn);
//   2a. anti-passback: if the shopper has another session still open at this store, "hard"
//      denies already_inside (the token stays usable), "soft" admits and logs a warning;
//   2b. with a store (use_store: [store] configured, docs/store-coordination.md), the token is
//      claimed store-wide and, with anti-passback, the shopper's open session written there, in
//      one transaction (StoreCoordinator::claim_entry), within
//      store.coordination_timeout: the token taken by any array → replayed; the shopper open
//      at another array → anti-passback as in 2a; no answer → store.fallback: "deny" denies
//      lane_unavailable, "local" goes on unverified, within the hourly offline cap (each
//      admission counted once, offline or unverified or both; its slot reserved from the
//      decision until it is recorded or denied, so lanes at once cannot overshoot the cap),
//      and the admitting commit owes
//      the claims (db/store_claims_pending.hpp) for the reconciler to make;
//   3. if a hold is configured, place it (controller/settlement/entry_hold.hpp): declined →
//      payment_declined; unknown beyond the offline risk limits → offline_limit;
//   4. POST /v1/sessions within the entry timeout: created → admit; 403 → shopper_blocked;
//      unreachable → the offline policy (deny, or admit within the hourly cap with the
//      open request queued in the outbox). A denial after the open request went out without
//      an answer (or with a 5xx) queues the open request and then a cancel, so a session the
//      engine may have created is cancelled there and never billed.
// A card tap's session (open_card_session) was begun, its hold placed, by the lane's card
// entry: it joins at step 4, so the tracking engine sees, and the offline policy treats, a
// card session exactly as an app session.
// Any database failure denies with lane_unavailable. Answers always arrive later on the
// loop, never inside request().
// Recording an admission (open, or open_offline) is a relaxed commit (db/database.hpp): it is
// in the WAL before the answer goes to the lane, so a crash of the process cannot lose it, and
// it is synced within kSyncWithin, merged with any synced commit made meanwhile. Denials are
// synced before they are answered. Why a crash at any point loses nothing and admits nothing
// twice: docs/durability.md.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "controller/config/config.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "controller/settlement/entry_hold.hpp"
#include "controller/admission/key_ring.hpp"
#include "controller/admission/write_later.hpp"
#include "controller/admission/offline_window.hpp"
#include "controller/lanes/ports.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/tracking/messages.hpp"
#include "ports/tracking_port.hpp"
#include "crypto/entry_token.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

struct AdmissionSettings {
  GateIdentity gate;
  crypto::VerifyPolicy policy;
  OfflineConfig offline;
  Millis entry_timeout{800};
  AntiPassback anti_passback = AntiPassback::hard;
  StoreFallback store_fallback = StoreFallback::local;
};

// What the store-wide claims decided, since the start (metrics).
struct StoreAdmissionCounts {
  std::uint64_t claimed = 0;         // admissions the store confirmed
  std::uint64_t replayed = 0;        // denied: the token was taken at another array (or earlier here)
  std::uint64_t inside_elsewhere = 0;  // the shopper's session is open at another array (denied or, soft, warned)
  std::uint64_t fallback_local = 0;  // no answer: admitted unverified
  std::uint64_t fallback_deny = 0;   // no answer: denied lane_unavailable
};

[[nodiscard]] AdmissionSettings admission_settings(const GateConfig& config);

class AdmissionService final : public AdmissionPort {
 public:
  // `hold` may be null: no pre-authorization at entry.
  AdmissionService(AdmissionSettings settings, const KeyRing& keys, const crypto::PaymentSealer& sealer,
                   db::SessionStore& sessions, TrackingPort& tracking, OutboxSender& outbox, EntryHold* hold,
                   TimerService& timers, Clock& clock);
  ~AdmissionService() override;
  AdmissionService(const AdmissionService&) = delete;
  AdmissionService& operator=(const AdmissionService&) = delete;

  // How soon a relaxed commit (an admission recorded) is synced to disk at the latest.
  static constexpr Millis kSyncWithin{100};
  // A denial the database refused is written again after this, doubling up to the maximum.
  static constexpr Millis kDenialRetryFirst{1000};
  static constexpr Millis kDenialRetryMax{60000};
  static constexpr std::size_t kMaxUnrecordedDenials = 1024;
  // Ids of session-ending writes dropped from that list, kept so their holds stay held back.
  static constexpr std::size_t kMaxDroppedIds = 65536;

  void request(int lane, int group_limit, std::string token, Done done) override;
  // Step 4 and what follows for a card session committed `opening` (CardAttemptStore::admit):
  // its open request as stored, its group as stored. A session not found `opening` is denied
  // lane_unavailable with nothing written; a database error denies it (the denial written).
  void open_card_session(int lane, std::string session_id, Done done) override;
  // True from a scan's request until `window` after its answer was delivered: a lane in use
  // (background work may wait; scans come one after another while a queue walks through).
  [[nodiscard]] bool admitting_within(Millis window) const {
    return unanswered_ > 0 || (last_answer_ && clock_.steady_now() - *last_answer_ < window);
  }
  // A config reload: new settings for every step taken from now on (also by requests under way).
  void reconfigure(AdmissionSettings settings) { settings_ = std::move(settings); }
  // Whether `session_id` was denied here and the database has not taken the denial yet (or
  // another write that ends it with nobody let in: write_later).
  [[nodiscard]] bool denial_unrecorded(const std::string& session_id) const;
  // `write` ends session `session_id` with nobody let in on it (the cancel of an unused grant,
  // the close of an entry a restart interrupted), and the database refused it (`what` it is,
  // for the log): written again with the denials waiting for the database, on their timer,
  // until it is taken, and until then the session counts as denied here, its denial not
  // recorded (its entry hold is not sent; anti-passback leaves it out). After write_waiting_now
  // (the stop; e.g. a lane's grant cancelled as the gate is torn down) nothing writes it again:
  // it is reported lost at once, as write_waiting_now reports those left.
  void write_later(const std::string& session_id, std::string what, std::function<Status()> write);
  // Whether `session_id` was admitted here and its answer has not reached its lane yet.
  [[nodiscard]] bool answer_pending(const std::string& session_id) const { return undelivered_.contains(session_id); }
  // The session-ending writes waiting for the database now (write_later's list and the ids
  // dropped at its cap): what a restart would lose.
  [[nodiscard]] SessionEndWrites writes_waiting() const {
    return {unrecorded_denials_.size(), dropped_denials_.size()};
  }
  // At a graceful stop: every admission recorded whose lane has not heard of it yet is
  // cancelled (its answer then denies), and every write still waiting is tried once more, now, stopping at the
  // first the whole database refuses (full, locked). The list is kept in memory only: each one
  // left is logged (event=denial_record_lost): an error if its session is still opening on
  // disk (the next start closes it), critical otherwise (an unused grant's session stays open,
  // and at the next start its entry hold may be sent with nothing to void it). Returns how
  // many of the latter were left.
  std::size_t write_waiting_now();
  // An operator ended `session_id` (passgatectl sessions cancel, committed): the writes waiting
  // to end it are not needed any more (each would find it cancelled), so writes_waiting() no
  // longer counts them.
  void ended_by_operator(const std::string& session_id);
  // Called after a session was denied (e.g. the settlement planner, to void its hold).
  void set_on_session_ended(std::function<void()> ended) { on_session_ended_ = std::move(ended); }
  // Claims every app admission store-wide from now on (2b); `owed` is called after a commit
  // that may have owed the store something (an unverified admission, a denial: the
  // reconciler's kick). The coordinator outlives this service's requests.
  void use_store(coordination::StoreCoordinator* store, std::function<void()> owed) {
    store_ = store;
    store_owed_ = std::move(owed);
  }
  [[nodiscard]] const StoreAdmissionCounts& store_counts() const { return store_counts_; }

 private:
  struct Pending;
  // Begins every session verified since the last call, in one transaction, and goes on with each.
  void begin_waiting();
  void on_begun(const std::shared_ptr<Pending>& p, const Status& begun);
  // Records the admission (relaxed), then answers the lane. False if it could not be recorded.
  [[nodiscard]] bool record_admitted(const std::shared_ptr<Pending>& p, bool offline);
  // The admission no longer holds an unverified slot (recorded, denied, or counted again).
  void release_unverified_slot(Pending& p);
  void sync_soon();
  [[nodiscard]] bool passes_anti_passback(const std::shared_ptr<Pending>& p);
  // 2b, then the hold or the open request.
  void claim_store_wide(const std::shared_ptr<Pending>& p);
  void on_store_answer(const std::shared_ptr<Pending>& p);
  void hold_then_open(const std::shared_ptr<Pending>& p);
  // The admissions of the last hour that count against the offline cap (offline or unverified),
  // up to the cap.
  [[nodiscard]] Result<int> recent_unverified_admissions();
  void on_hold(const std::shared_ptr<Pending>& p, HoldVerdict verdict);
  void open_session(const std::shared_ptr<Pending>& p);
  void on_open_reply(const std::shared_ptr<Pending>& p, const HttpReply& reply);
  // `open_may_exist`: the open request got no answer (or a 5xx), so a denial cancels it.
  void apply_offline_policy(const std::shared_ptr<Pending>& p, bool open_may_exist);
  void deny(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why, bool release_token);
  // A denial after the open request was sent without a usable answer (open + cancel queued).
  void deny_opened(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why);
  void denied(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why);
  // Writes a denial; one the database refuses is written again later (retry_denials_after).
  void record_denial(int lane, const std::string& session_id, std::function<Status()> write);
  // The sessions denied here whose denial the database has not taken (anti-passback leaves
  // them out: on disk they are still opening).
  [[nodiscard]] std::vector<std::string> denied_unrecorded() const;
  // A write went through: the denials waiting for the database are written now.
  void database_wrote();
  void retry_denials_after(Millis delay);
  void retry_next_denial(std::size_t index);
  struct UnrecordedDenial;
  // Logs a session-ending write that will not be written again (event=denial_record_lost), or,
  // if its session has ended another way since (denied, cancelled: an operator's cancel), that
  // nothing is lost (event=denial_record_dropped). True if its session stays open (critical:
  // its hold may be placed with nothing to void it).
  bool report_lost(const UnrecordedDenial& d, const std::string& why);
  // At a stop: cancels every admission recorded whose answer its lane has not received yet (the
  // loop stops before that posted answer runs: no grant, so no cancel, and not opening, so
  // the next start would leave it open). Returns how many cancels were lost (report_lost).
  std::size_t cancel_undelivered();
  // Cancels one admission its lane never heard of (cancel_undelivered, and finish after the
  // stop). True if the cancel was lost with the session left open (report_lost).
  bool cancel_unheard(const std::string& id);
  void finish(Done done, AdmissionResult result);

  AdmissionSettings settings_;
  const KeyRing& keys_;
  const crypto::PaymentSealer& sealer_;
  db::SessionStore& sessions_;
  TrackingPort& tracking_;
  OutboxSender& outbox_;
  EntryHold* hold_;
  TimerService& timers_;
  Clock& clock_;
  OfflineAdmissionWindow offline_window_;  // this run's offline admissions, by the monotonic clock
  // Unverified admissions decided (store fallback local) and not recorded or denied yet:
  // counted against the offline cap with the recorded ones, so lanes cannot overshoot it.
  int unverified_in_flight_ = 0;
  std::vector<std::shared_ptr<Pending>> to_begin_;  // verified, waiting for the next group commit
  std::unique_ptr<Timer> sync_timer_;              // set while a relaxed commit waits for its sync
  std::function<void()> on_session_ended_;
  coordination::StoreCoordinator* store_ = nullptr;
  std::function<void()> store_owed_;
  StoreAdmissionCounts store_counts_;
  struct UnrecordedDenial {
    std::string session_id;
    std::string what;  // "denial", or what write_later was given
    std::function<Status()> write;
  };
  std::deque<UnrecordedDenial> unrecorded_denials_;  // denials the database refused, oldest first
  std::deque<std::string> dropped_denials_;          // ids of those dropped from it (kMaxDroppedIds)
  std::unique_ptr<Timer> denial_retry_timer_;
  Millis denial_retry_delay_{0};                      // of the round under way or waited for
  bool stopped_ = false;                              // write_waiting_now has run
  std::set<std::string> undelivered_;                 // admitted, the answer posted, not yet run
  int unanswered_ = 0;  // requests whose answer has not been delivered yet
  std::optional<SteadyTime> last_answer_;
};

}  // namespace passgate::controller
