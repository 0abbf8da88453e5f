#include "controller/admission/service.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "common/log_excerpt.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/admission/anti_passback.hpp"
#include "controller/tracking/answers.hpp"
#include "crypto/token_verifier.hpp"
#include "db/sqlite_error.hpp"

namespace passgate::controller {

namespace {

AdmissionResult denial(DenialReason reason) { return AdmissionResult{false, reason, {}, 0, false}; }

constexpr std::int64_t kHourMs = 3600 * 1000;
// Offline admissions stamped further ahead of the wall clock than this are not counted by the
// database's wall-time window: a clock that far off stamped them (this run's own admissions
// still count by the monotonic window), and a step back must not hold the cap reached for ever.
constexpr std::int64_t kFutureStampLimitMs = 24 * kHourMs;

}  // namespace

struct AdmissionService::Pending {
  int lane = 0;
  int people = 0;
  SessionOpen open;
  std::string body;
  Done done;
  db::SessionRecord record;  // until it is begun
  WallTime token_exp{};      // the token's exp (its store-wide claim lasts until then + skew)
  coordination::Outcome token_claim;
  coordination::Outcome shopper_claim = coordination::Outcome::confirmed();
  db::StoreUnclaimed unclaimed;  // what the store did not confirm (admitted unverified)
  bool holds_unverified_slot = false;  // counted in unverified_in_flight_ until recorded or denied
};

AdmissionSettings admission_settings(const GateConfig& config) {
  AdmissionSettings s;
  s.gate = GateIdentity{config.store_id, config.gate_id};
  s.policy = crypto::VerifyPolicy{config.issuer, config.store_id, config.clock_skew, config.freshness};
  s.offline = config.offline;
  s.entry_timeout = config.tracking.entry_timeout;
  s.anti_passback = config.entry.anti_passback;
  s.store_fallback = config.store.fallback;
  return s;
}

AdmissionService::AdmissionService(AdmissionSettings settings, const KeyRing& keys,
                                   const crypto::PaymentSealer& sealer, db::SessionStore& sessions,
                                   TrackingPort& tracking, OutboxSender& outbox, EntryHold* hold, TimerService& timers,
                                   Clock& clock)
    : settings_(std::move(settings)),
      keys_(keys),
      sealer_(sealer),
      sessions_(sessions),
      tracking_(tracking),
      outbox_(outbox),
      hold_(hold),
      timers_(timers),
      clock_(clock) {}

void AdmissionService::finish(Done done, AdmissionResult result) {
  // An admission recorded after the stop's writes (write_waiting_now) would never be told to
  // its lane nor cancelled by anything: it is cancelled now, and denied.
  if (result.admitted && stopped_) {
    cancel_unheard(result.session_id);
    result = denial(DenialReason::lane_unavailable);
  }
  // An admission is recorded before its lane hears of it (the answer is posted): until then
  // only this service knows nobody was let in on it (cancel_undelivered, at a stop).
  if (result.admitted) undelivered_.insert(result.session_id);
  timers_.post([this, done = std::move(done), result = std::move(result)]() mutable {
    --unanswered_;
    last_answer_ = clock_.steady_now();
    if (result.admitted && undelivered_.erase(result.session_id) == 0) {
      result = denial(DenialReason::lane_unavailable);  // cancelled at the stop: nobody may pass on it
    }
    done(std::move(result));
  });
}

bool AdmissionService::cancel_unheard(const std::string& id) {
  const auto cancelled = sessions_.mark_cancelled(id, cancel_message(id), unix_millis(clock_.wall_now()));
  if (cancelled.ok()) {
    spdlog::info("event=session_cancelled session={} reason=stopped_before_grant", id);
    return false;
  }
  if (cancelled.error().code == "wrong_state") return false;  // ended another way meanwhile
  return report_lost(UnrecordedDenial{id, "cancel of an admission its lane never heard of", {}},
                     cancelled.error().message);
}

std::size_t AdmissionService::cancel_undelivered() {
  std::size_t lost = 0;
  for (const std::string& id : undelivered_) lost += cancel_unheard(id) ? 1 : 0;
  undelivered_.clear();
  return lost;
}

void AdmissionService::ended_by_operator(const std::string& session_id) {
  std::erase_if(unrecorded_denials_, [&](const UnrecordedDenial& d) { return d.session_id == session_id; });
  std::erase(dropped_denials_, session_id);
}

void AdmissionService::request(int lane, int group_limit, std::string token, Done done) {
  ++unanswered_;
  const auto now = clock_.wall_now();
  const auto keys = keys_.current();
  if (!keys) {
    spdlog::error("event=admission_denied lane={} reason=lane_unavailable detail=\"no issuer key set loaded\"", lane);
    finish(std::move(done), denial(DenialReason::lane_unavailable));
    return;
  }
  auto verified = crypto::verify_entry_token(token, *keys, settings_.policy, unix_seconds(now));
  if (const auto* d = std::get_if<crypto::Denial>(&verified)) {
    spdlog::info("event=admission_denied lane={} reason={} detail={}", lane, to_string(d->reason),
                 log_value(d->detail));
    finish(std::move(done), denial(d->reason));
    return;
  }
  const auto& claims = std::get<crypto::EntryClaims>(verified);

  auto p = std::make_shared<Pending>();
  p->lane = lane;
  p->people = std::min(claims.group, group_limit);
  p->open = SessionOpen{new_uuid_v4(), lane, claims.subject, claims.token_id, p->people, format_rfc3339_ms(now)};
  p->body = session_open_body(settings_.gate, p->open);
  p->done = std::move(done);
  p->token_exp = WallTime{std::chrono::seconds(claims.expires_at)};

  db::SessionRecord& record = p->record;
  record.session_id = p->open.session_id;
  record.token_id = claims.token_id;
  record.token_expires_at = claims.expires_at + settings_.policy.clock_skew.count();
  record.lane = lane;
  record.shopper = claims.subject;
  record.group_size = p->people;
  record.admitted_at = p->open.admitted_at;
  record.created_at_ms = unix_millis(now);
  record.open_request = p->body;
  auto sealed = crypto::seal_payment_reference(sealer_, claims.pay, record.session_id);
  if (!sealed) {
    spdlog::error("event=admission_denied lane={} reason=lane_unavailable detail={}", lane,
                  log_value("cannot seal the payment reference: " + sealed.error().message));
    finish(std::move(p->done), denial(DenialReason::lane_unavailable));
    return;
  }
  record.pay_key_id = std::move(sealed->key_id);
  record.pay_sealed = std::move(sealed->blob);
  to_begin_.push_back(std::move(p));
  if (to_begin_.size() == 1) timers_.post([this] { begin_waiting(); });
}

void AdmissionService::begin_waiting() {
  std::vector<std::shared_ptr<Pending>> batch;
  batch.swap(to_begin_);
  std::vector<db::SessionStore::NewSession> sessions;
  sessions.reserve(batch.size());
  for (auto& p : batch) sessions.push_back({std::move(p->record), open_message(p->open.session_id, p->body)});
  auto begun = sessions_.begin_all(sessions);
  if (begun) database_wrote();
  // The first goes on at once; each further one in its own handler: one may write to the
  // database (its hold queued, a denial), and a fire alarm that came in meanwhile must not
  // wait for them all.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Status status = begun ? (*begun)[i] : Status(begun.error());
    if (i == 0) {
      on_begun(batch[i], status);
    } else {
      timers_.post([this, p = batch[i], status = std::move(status)] { on_begun(p, status); });
    }
  }
}

void AdmissionService::on_begun(const std::shared_ptr<Pending>& p, const Status& begun) {
  if (!begun.ok()) {
    if (begun.error().code == "replayed") {
      spdlog::info("event=admission_denied lane={} reason=replayed token_id={} detail=\"token already used\"",
                   p->lane, log_value(p->open.token_id));
      finish(std::move(p->done), denial(DenialReason::replayed));
    } else if (begun.error().code == "expired") {
      // The wall clock is behind the gate's records by more than a day: the token's id may
      // have been purged already, so it cannot be shown unused.
      spdlog::warn("event=admission_denied lane={} reason=expired token_id={} detail={}", p->lane,
                   log_value(p->open.token_id), log_value(begun.error().message));
      finish(std::move(p->done), denial(DenialReason::expired));
    } else {
      spdlog::error("event=admission_denied lane={} reason=lane_unavailable detail={}", p->lane,
                    log_value("cannot record the session: " + begun.error().message));
      finish(std::move(p->done), denial(DenialReason::lane_unavailable));
    }
    return;
  }
  if (!passes_anti_passback(p)) return;
  if (store_) {
    claim_store_wide(p);
    return;
  }
  hold_then_open(p);
}

void AdmissionService::hold_then_open(const std::shared_ptr<Pending>& p) {
  if (hold_ && hold_->required()) {
    hold_->place(p->open.session_id, [this, p](HoldVerdict verdict) { on_hold(p, verdict); });
    return;
  }
  open_session(p);
}

void AdmissionService::claim_store_wide(const std::shared_ptr<Pending>& p) {
  // The shopper's open session is written only where anti-passback looks for it, in the same
  // transaction as the token's claim.
  if (anti_passback_checks(settings_.anti_passback)) {
    store_->claim_entry(p->open.token_id, p->token_exp, p->open.shopper, p->open.session_id,
                        [this, p](coordination::Outcome token, coordination::Outcome shopper) {
                          p->token_claim = std::move(token);
                          p->shopper_claim = std::move(shopper);
                          on_store_answer(p);
                        });
    return;
  }
  store_->claim_token(p->open.token_id, p->open.session_id, p->token_exp, [this, p](coordination::Outcome token) {
    p->token_claim = std::move(token);
    on_store_answer(p);
  });
}

void AdmissionService::on_store_answer(const std::shared_ptr<Pending>& p) {
  using coordination::Verdict;
  const auto& id = p->open.session_id;
  if (p->token_claim.verdict == Verdict::refused) {
    ++store_counts_.replayed;
    spdlog::info("event=store_claim_refused kind=token lane={} session={} token_id={} holder={} "
                 "detail=\"the token was admitted in this store already\"",
                 p->lane, id, log_value(p->open.token_id), log_value(p->token_claim.holder_text));
    deny(p, DenialReason::replayed, "replayed_in_store", false);
    return;
  }
  if (p->shopper_claim.verdict == Verdict::refused) {
    ++store_counts_.inside_elsewhere;
    if (anti_passback_verdict(settings_.anti_passback, true) == PassbackVerdict::refuse) {
      spdlog::info("event=anti_passback_refused lane={} session={} open_session={} store_wide=true", p->lane, id,
                   log_value(p->shopper_claim.holder_text));
      deny(p, DenialReason::already_inside, "already_inside", true);
      return;
    }
    spdlog::warn("event=anti_passback_overridden lane={} session={} open_session={} store_wide=true "
                 "detail=\"the shopper still has a session open at another gate array; admitted anyway "
                 "(anti_passback soft)\"",
                 p->lane, id, log_value(p->shopper_claim.holder_text));
  }
  p->unclaimed = {p->token_claim.verdict == Verdict::unavailable, p->shopper_claim.verdict == Verdict::unavailable};
  if (!p->unclaimed.any()) {
    ++store_counts_.claimed;
    hold_then_open(p);
    return;
  }
  const std::string& why =
      p->unclaimed.token ? p->token_claim.reason : p->shopper_claim.reason;
  if (settings_.store_fallback == StoreFallback::deny) {
    ++store_counts_.fallback_deny;
    spdlog::warn("event=store_unavailable lane={} session={} fallback=deny detail={}", p->lane, id, log_value(why));
    // The claims may have been written after their time-out: the denial owes their release.
    deny(p, DenialReason::lane_unavailable, "store_unavailable", true);
    return;
  }
  auto recent = recent_unverified_admissions();
  if (!recent.ok()) {
    deny(p, DenialReason::lane_unavailable, "db_error", true);
    return;
  }
  if (*recent >= settings_.offline.max_admissions_per_hour) {
    spdlog::warn("event=offline_cap_reached lane={} session={} admissions_last_hour={} cause=store_unavailable",
                 p->lane, id, *recent);
    deny(p, DenialReason::offline_limit, "offline_limit", true);
    return;
  }
  // The slot is this admission's from now on: lanes deciding meanwhile count it (the hold and
  // the open request may take the entry timeout before it is recorded).
  p->holds_unverified_slot = true;
  ++unverified_in_flight_;
  ++store_counts_.fallback_local;
  spdlog::warn("event=store_unavailable lane={} session={} fallback=local detail={}", p->lane, id, log_value(why));
  hold_then_open(p);
}

// True if the admission may go on; otherwise it has been denied.
bool AdmissionService::passes_anti_passback(const std::shared_ptr<Pending>& p) {
  if (!anti_passback_checks(settings_.anti_passback)) return true;
  auto open = sessions_.open_session_of(p->open.shopper, p->open.session_id, denied_unrecorded());
  if (!open.ok()) {
    spdlog::error("event=anti_passback_check_failed lane={} session={} detail={}", p->lane, p->open.session_id,
                  log_value(open.error().message));
    deny(p, DenialReason::lane_unavailable, "db_error", true);
    return false;
  }
  const PassbackVerdict verdict = anti_passback_verdict(settings_.anti_passback, open.value().has_value());
  if (verdict == PassbackVerdict::pass) return true;
  if (verdict == PassbackVerdict::overridden) {
    spdlog::warn("event=anti_passback_overridden lane={} session={} open_session={} "
                 "detail=\"the shopper still has a session open at this store; admitted anyway (anti_passback soft)\"",
                 p->lane, p->open.session_id, *open.value());
    return true;
  }
  spdlog::info("event=anti_passback_refused lane={} session={} open_session={}", p->lane, p->open.session_id,
               *open.value());
  deny(p, DenialReason::already_inside, "already_inside", true);
  return false;
}

void AdmissionService::on_hold(const std::shared_ptr<Pending>& p, HoldVerdict verdict) {
  switch (verdict) {
    case HoldVerdict::placed:
    case HoldVerdict::placed_offline:
      return open_session(p);
    case HoldVerdict::declined:
      return deny(p, DenialReason::payment_declined, "payment_declined", false);
    case HoldVerdict::offline_limit:
      return deny(p, DenialReason::offline_limit, "offline_limit", true);
    case HoldVerdict::unavailable:
      return deny(p, DenialReason::lane_unavailable, "payment_unavailable", true);
  }
}

void AdmissionService::open_card_session(int lane, std::string session_id, Done done) {
  ++unanswered_;
  auto p = std::make_shared<Pending>();
  p->lane = lane;
  p->people = 1;
  p->open.session_id = std::move(session_id);
  p->open.lane = lane;
  p->done = std::move(done);
  const std::string& id = p->open.session_id;
  auto found = sessions_.find(id);
  if (!found.ok()) {
    spdlog::error("event=admission_record_failed lane={} session={} detail={}", lane, id,
                  log_value("cannot read the card session: " + found.error().message));
    deny(p, DenialReason::lane_unavailable, "db_error", false);
    return;
  }
  if (!found->has_value() || (*found)->state != db::SessionState::opening) {
    spdlog::error("event=card_session_not_opening lane={} session={} state={} detail=\"a card admission names a "
                  "session that is not waiting to be opened; denied, nothing written\"",
                  lane, id, found->has_value() ? to_string((*found)->state) : std::string_view("none"));
    finish(std::move(p->done), denial(DenialReason::lane_unavailable));
    return;
  }
  const db::SessionRecord& record = **found;
  p->people = record.group_size;
  p->open.shopper = record.shopper;
  p->open.token_id = record.token_id;
  p->open.group_size = record.group_size;
  p->open.admitted_at = record.admitted_at;
  p->body = record.open_request;
  open_session(p);
}

void AdmissionService::open_session(const std::shared_ptr<Pending>& p) {
  tracking_.post_json(kSessionsTarget, p->body, settings_.entry_timeout,
                      [this, p](HttpReply reply) { on_open_reply(p, reply); });
}

void AdmissionService::on_open_reply(const std::shared_ptr<Pending>& p, const HttpReply& reply) {
  const auto& id = p->open.session_id;
  const TrackingAnswer answer = read_session_answer(reply);
  if (answer == TrackingAnswer::accepted) {
    if (!record_admitted(p, false)) return;
    spdlog::info("event=session_opened lane={} session={} people={} offline=false{}", p->lane, id, p->people,
                 p->unclaimed.any() ? " unverified=true" : "");
    finish(std::move(p->done), AdmissionResult{true, DenialReason::lane_unavailable, id, p->people, false});
    return;
  }
  if (answer == TrackingAnswer::refused) {
    deny(p, DenialReason::shopper_blocked, "shopper_blocked", false);
    return;
  }
  if (answer == TrackingAnswer::conflict) {
    spdlog::error("event=session_conflict lane={} session={} status=409 body={} "
                  "detail=\"the tracking engine has this id with another body; this is a gate bug\"",
                  p->lane, id, log_value(log_excerpt(reply.body)));
    deny(p, DenialReason::lane_unavailable, "conflict", false);
    return;
  }
  if (answer == TrackingAnswer::unreachable) {
    spdlog::warn("event=tracking_unreachable lane={} session={} status={} detail={}", p->lane, id, reply.status,
                 log_value(reply.status == 0 ? reply.error : "HTTP " + std::to_string(reply.status)));
  } else {
    spdlog::error("event=tracking_unexpected_reply lane={} session={} target=/v1/sessions status={} body={} "
                  "detail=\"treated as unreachable\"",
                  p->lane, id, reply.status, log_value(log_excerpt(reply.body)));
  }
  // Without an answer (or with a 5xx) the engine may have created the session; an answer it
  // gave (a 4xx the contract does not name) says it did not.
  apply_offline_policy(p, answer == TrackingAnswer::unreachable);
}

void AdmissionService::apply_offline_policy(const std::shared_ptr<Pending>& p, bool open_may_exist) {
  // Counted and recorded below in this same turn of the loop.
  release_unverified_slot(*p);
  const auto refuse = [&](DenialReason reason, const std::string& why) {
    if (open_may_exist) return deny_opened(p, reason, why);
    deny(p, reason, why, true);
  };
  if (settings_.offline.policy == OfflinePolicy::deny) {
    refuse(DenialReason::lane_unavailable, "tracking_unreachable");
    return;
  }
  const auto counted = recent_unverified_admissions();
  if (!counted.ok()) {
    refuse(DenialReason::lane_unavailable, "db_error");
    return;
  }
  const int recent = *counted;
  if (recent >= settings_.offline.max_admissions_per_hour) {
    spdlog::warn("event=offline_cap_reached lane={} session={} admissions_last_hour={}", p->lane, p->open.session_id,
                 recent);
    refuse(DenialReason::offline_limit, "offline_limit");
    return;
  }
  if (!record_admitted(p, true)) {
    refuse(DenialReason::lane_unavailable, "db_error");
    return;
  }
  spdlog::info("event=session_opened lane={} session={} people={} offline=true{}", p->lane, p->open.session_id,
               p->people, p->unclaimed.any() ? " unverified=true" : "");
  outbox_.kick();
  finish(std::move(p->done), AdmissionResult{true, DenialReason::lane_unavailable, p->open.session_id, p->people, true});
}

Result<int> AdmissionService::recent_unverified_admissions() {
  const auto now_ms = unix_millis(clock_.wall_now());
  // The larger of two counts of the last hour: by wall time in the database (admissions of
  // earlier runs too; a step back keeps those stamped after now counting), and by the
  // monotonic clock for this run's (a step forward cannot empty it).
  auto stamped = sessions_.offline_admissions_since(now_ms - kHourMs, now_ms + kFutureStampLimitMs,
                                                    settings_.offline.max_admissions_per_hour);
  if (!stamped.ok()) return stamped.error();
  return std::max(stamped.value(), offline_window_.count_within_hour(clock_.steady_now())) + unverified_in_flight_;
}

void AdmissionService::release_unverified_slot(Pending& p) {
  if (!p.holds_unverified_slot) return;
  p.holds_unverified_slot = false;
  --unverified_in_flight_;
}

bool AdmissionService::record_admitted(const std::shared_ptr<Pending>& p, bool offline) {
  // Counted from here on as recorded (below), or denied.
  release_unverified_slot(*p);
  const auto& id = p->open.session_id;
  db::Database& db = sessions_.database();
  const Status recorded =
      offline ? db.relaxed([&] {
        return sessions_.mark_open_offline(id, open_message(id, p->body), unix_millis(clock_.wall_now()), p->unclaimed);
      })
              : db.relaxed([&] { return sessions_.mark_open(id, p->unclaimed); });
  if (!recorded.ok()) {
    if (offline) {
      spdlog::error("event=offline_queue_failed lane={} session={} detail={}", p->lane, id,
                    log_value(recorded.error().message));
    } else {
      // The engine opened it but the gate could not record that: denied, and the engine told
      // to cancel it (if even that cannot be recorded, the session stays opening and the next
      // start cancels it: controller/admission/interrupted_sessions.hpp).
      spdlog::error("event=admission_record_failed lane={} session={} detail={}", p->lane, id,
                    log_value("opened by the tracking engine but not recorded: " + recorded.error().message));
      deny_opened(p, DenialReason::lane_unavailable, "db_error");
    }
    return false;
  }
  // Counted once against the offline cap, whether offline, unverified or both.
  if (offline || p->unclaimed.any()) {
    offline_window_.record(clock_.steady_now(), settings_.offline.max_admissions_per_hour);
  }
  if (p->unclaimed.any() && store_owed_) store_owed_();
  sync_soon();
  return true;
}

void AdmissionService::sync_soon() {
  if (sync_timer_) return;
  sync_timer_ = timers_.start(kSyncWithin, [this] {
    sync_timer_.reset();
    if (auto synced = sessions_.database().sync(unix_millis(clock_.wall_now())); !synced.ok()) {
      // The admissions stay in the WAL (a crash of the process keeps them); tried again.
      spdlog::error("event=database_sync_failed next=retry detail={}", log_value(synced.error().message));
      sync_soon();
    }
  });
}

AdmissionService::~AdmissionService() {
  // A graceful stop: the admissions recorded last reach the disk before the database closes.
  if (!sync_timer_) return;
  if (auto synced = sessions_.database().sync(unix_millis(clock_.wall_now())); !synced.ok()) {
    spdlog::error("event=database_sync_failed detail={}", log_value(synced.error().message));
  }
}

void AdmissionService::deny(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why,
                            bool release_token) {
  const std::string id = p->open.session_id;
  record_denial(p->lane, id, [this, id, why, release_token] {
    return sessions_.mark_denied(id, why, release_token, unix_millis(clock_.wall_now()));
  });
  denied(p, reason, why);
}

void AdmissionService::record_denial(int lane, const std::string& session_id, std::function<Status()> write) {
  const Status written = write();
  if (written.ok()) return;
  // Not recorded: the session stays opening on disk, so it is written again until it is
  // (anti-passback leaves it out meanwhile: denied_unrecorded()). Failing that, the next
  // start closes it (controller/admission/interrupted_sessions.hpp).
  spdlog::error("event=denial_record_failed lane={} session={} next=retry detail={}", lane, session_id,
                log_value(written.error().message));
  write_later(session_id, "denial", std::move(write));
}

void AdmissionService::write_later(const std::string& session_id, std::string what, std::function<Status()> write) {
  if (stopped_) {
    // The stop's last round has run: nothing would write this again, nor report it.
    (void)report_lost(UnrecordedDenial{session_id, std::move(what), {}}, "refused after the stop's last write");
    return;
  }
  if (unrecorded_denials_.size() >= kMaxUnrecordedDenials) {
    // Bounded: the oldest is no longer written again (a denial's session stays opening, for
    // the next start to close; a cancel's stays open); its id alone is kept (bounded too) so
    // that its hold stays held back and anti-passback still leaves it out.
    spdlog::error("event=denial_record_dropped session={} what={} detail=\"too many session-ending writes wait for "
                  "the database; no longer written again, its entry hold still held back\"",
                  unrecorded_denials_.front().session_id, log_value(unrecorded_denials_.front().what));
    if (dropped_denials_.size() >= kMaxDroppedIds) {
      // Past even that: the oldest id is forgotten, and said so now, as the stop would.
      (void)report_lost(UnrecordedDenial{dropped_denials_.front(), "a write dropped earlier (too many waited)", {}},
                        "more ids of dropped writes than kept (65,536): its hold is no longer held back");
      dropped_denials_.pop_front();
    }
    dropped_denials_.push_back(unrecorded_denials_.front().session_id);
    unrecorded_denials_.pop_front();
  }
  unrecorded_denials_.push_back({session_id, std::move(what), std::move(write)});
  if (!denial_retry_timer_) retry_denials_after(kDenialRetryFirst);
}

std::vector<std::string> AdmissionService::denied_unrecorded() const {
  std::vector<std::string> ids(dropped_denials_.begin(), dropped_denials_.end());
  for (const UnrecordedDenial& d : unrecorded_denials_) ids.push_back(d.session_id);
  return ids;
}

bool AdmissionService::denial_unrecorded(const std::string& session_id) const {
  return std::any_of(unrecorded_denials_.begin(), unrecorded_denials_.end(),
                     [&](const UnrecordedDenial& d) { return d.session_id == session_id; }) ||
         std::find(dropped_denials_.begin(), dropped_denials_.end(), session_id) != dropped_denials_.end();
}

void AdmissionService::database_wrote() {
  // The database takes writes again: the denials waiting for it go now, not after a wait
  // that grew while it refused them.
  if (unrecorded_denials_.empty() || denial_retry_delay_ == Millis{0}) return;
  retry_denials_after(Millis{0});
}

void AdmissionService::retry_denials_after(Millis delay) {
  denial_retry_delay_ = delay;
  denial_retry_timer_ = timers_.start(delay, [this] {
    denial_retry_timer_.reset();
    retry_next_denial(0);
  });
}

// One denial per handler (each write is a synced commit, or a busy wait on a locked
// database), so a fire alarm never waits behind a whole list of them.
void AdmissionService::retry_next_denial(std::size_t index) {
  if (index >= unrecorded_denials_.size()) {
    if (!unrecorded_denials_.empty()) {
      retry_denials_after(std::clamp(denial_retry_delay_ * 2, kDenialRetryFirst, kDenialRetryMax));
    }
    return;
  }
  const UnrecordedDenial& d = unrecorded_denials_[index];
  const Status written = d.write();
  if (!written.ok() && db::database_wide(written.error())) {
    // Full or locked: the rest would fail the same way (each after a busy wait): next round.
    retry_denials_after(std::clamp(denial_retry_delay_ * 2, kDenialRetryFirst, kDenialRetryMax));
    return;
  }
  if (written.ok()) {
    spdlog::info("event=denial_recorded session={} detail={}", d.session_id, log_value(d.what + " written on a retry"));
    outbox_.kick();
    if (on_session_ended_) on_session_ended_();  // e.g. a hold the gateway may have run, now to void
  } else if (written.error().code == "wrong_state") {
    spdlog::warn("event=denial_record_dropped session={} detail={}", d.session_id, log_value(written.error().message));
  } else {
    index += 1;  // this row refuses: kept for the next round, the next one tried now
  }
  if (written.ok() || written.error().code == "wrong_state") {
    unrecorded_denials_.erase(unrecorded_denials_.begin() + static_cast<std::ptrdiff_t>(index));
  }
  denial_retry_timer_ = timers_.start(Millis{0}, [this, index] {
    denial_retry_timer_.reset();
    retry_next_denial(index);
  });
}

bool AdmissionService::report_lost(const UnrecordedDenial& d, const std::string& why) {
  // A session still opening on disk (a denial, a start-up close) is closed by the next start
  // (interrupted_sessions.hpp); one that ended another way since needs nothing; any other (a
  // cancel of an unused grant) stays open, and its hold may be placed with nothing to void it.
  // Unknown counts as the latter.
  auto found = sessions_.find(d.session_id);
  if (found.ok() && found->has_value() &&
      ((*found)->state == db::SessionState::denied || (*found)->state == db::SessionState::cancelled)) {
    // Ended another way since (e.g. an operator's passgatectl sessions cancel): nothing lost.
    spdlog::info("event=denial_record_dropped session={} what={} detail={}", d.session_id, log_value(d.what),
                 log_value("its session is " + std::string(db::to_string((*found)->state)) + " already"));
    return false;
  }
  if (found.ok() && found->has_value() && (*found)->state == db::SessionState::opening) {
    spdlog::error("event=denial_record_lost session={} what={} detail={} next=closed_at_next_start", d.session_id,
                  log_value(d.what), log_value(why));
    return false;
  }
  if (found.ok() && found->has_value() && (*found)->refused_at_ms != 0) {
    // The engine refused its open since: the planner voids its hold with it; nothing is left
    // for an operator.
    spdlog::info("event=denial_record_lost session={} what={} detail={} next=none", d.session_id, log_value(d.what),
                 log_value(why + "; the session has ended another way since"));
    return false;
  }
  spdlog::critical("event=denial_record_lost session={} what={} detail={} hint={}", d.session_id, log_value(d.what),
                   log_value(why),
                   log_value("the session stays open (its hold, anti-passback and sealing key with it): once you "
                             "checked nobody entered, passgatectl sessions cancel it (docs/troubleshooting.md)"));
  return true;
}

std::size_t AdmissionService::write_waiting_now() {
  stopped_ = true;
  denial_retry_timer_.reset();
  std::size_t lost = cancel_undelivered();
  const auto lose = [this, &lost](const UnrecordedDenial& d, const std::string& why) {
    if (report_lost(d, why)) ++lost;
  };
  while (!unrecorded_denials_.empty()) {
    const UnrecordedDenial& d = unrecorded_denials_.front();
    const Status written = d.write();
    if (!written.ok() && db::database_wide(written.error())) break;
    if (written.ok()) {
      spdlog::info("event=denial_recorded session={} detail={}", d.session_id, log_value(d.what + " written at the stop"));
    } else if (written.error().code != "wrong_state") {
      lose(d, written.error().message);
    }
    unrecorded_denials_.pop_front();
  }
  for (const UnrecordedDenial& d : unrecorded_denials_) lose(d, "the database still refuses writes at the stop");
  unrecorded_denials_.clear();
  // Those dropped at the cap earlier were no longer written again: reported the same way.
  for (const std::string& id : dropped_denials_) {
    lose(UnrecordedDenial{id, "a write dropped earlier (too many waited)", {}},
         "dropped from the writes waiting for the database");
  }
  dropped_denials_.clear();
  return lost;
}

void AdmissionService::deny_opened(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why) {
  const std::string id = p->open.session_id;
  const db::OutboxMessage open = open_message(id, p->body);
  const db::OutboxMessage cancel = cancel_message(id);
  record_denial(p->lane, id, [this, id, why, open, cancel] {
    return sessions_.deny_after_open(id, why, true, open, cancel, unix_millis(clock_.wall_now()));
  });
  outbox_.kick();
  denied(p, reason, why);
}

void AdmissionService::denied(const std::shared_ptr<Pending>& p, DenialReason reason, const std::string& why) {
  release_unverified_slot(*p);
  spdlog::info("event=admission_denied lane={} session={} reason={} cause={}", p->lane, p->open.session_id,
               to_string(reason), log_value(why));
  if (on_session_ended_) on_session_ended_();
  if (store_owed_) store_owed_();  // its token's or shopper's release, if owed
  finish(std::move(p->done), denial(reason));
}

}  // namespace passgate::controller
