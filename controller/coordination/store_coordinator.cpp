#include "controller/coordination/store_coordinator.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::coordination {

namespace {

// A lease granted ahead, off any lane's path, may take longer than a claim's budget.
constexpr std::chrono::milliseconds kGrantAheadTimeout{2000};
// The least time a call to the store is given (it always answers later, never inline).
constexpr std::chrono::milliseconds kLeastCallTime{1};
// A claim is not sent with less time left than this (its answer would be lost, its write
// unknown): it ends unavailable, nothing sent. Never at the call itself: the least
// coordination_timeout_ms (20) leaves a claim 13 ms.
constexpr std::chrono::milliseconds kLeastClaimTime{5};
constexpr const char* kNoTimeToClaim = "no time left to send the claim: nothing sent";

}  // namespace

struct StoreCoordinator::ClaimCall {
  std::string key;
  std::string value;  // this array's holder
  std::string fence;  // the key's fence for the session: the claim writes nothing once it exists
  Holder holder;
  WallTime bucket;
  SteadyTime claim_deadline;  // the lease and the transaction
  SteadyTime deadline;        // and reading the key back
  bool lease_renewed = false;  // the lease was found gone once and granted again
  bool took_over = false;      // this array's older claim was removed once
  bool shopper = false;        // a shopper's open session (else a token)
  Done done;
  bool finished = false;
  std::unique_ptr<Timer> guard;  // ends the call at `deadline` whatever is still in flight

  // Calls back once; what comes after (a late answer, the guard) is ignored.
  void finish(Outcome outcome) {
    if (finished) return;
    finished = true;
    done(std::move(outcome));
  }
};

StoreCoordinator::StoreCoordinator(StoreKv& kv, const Clock& clock, TimerService& loop,
                                   CoordinationSettings settings, SessionFateOf session_fate)
    : kv_(kv),
      clock_(clock),
      loop_(loop),
      settings_(std::move(settings)),
      session_fate_(std::move(session_fate)),
      keys_(settings_.store_id),
      book_(settings_.lease_bucket) {}

StoreCoordinator::~StoreCoordinator() = default;

std::chrono::milliseconds StoreCoordinator::left(SteadyTime deadline) const {
  return std::max(std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_.steady_now()), kLeastCallTime);
}

void StoreCoordinator::later(Done done, Outcome outcome) {
  loop_.post([alive = std::weak_ptr<int>(alive_), done = std::move(done), outcome = std::move(outcome)]() mutable {
    if (!alive.expired()) done(std::move(outcome));
  });
}

void StoreCoordinator::claim_token(const std::string& token_id, const std::string& session_id, WallTime token_exp,
                                   Done done) {
  if (auto call = token_call(token_id, session_id, token_exp, timed("token", std::move(done)))) lease_then_claim(call);
}

void StoreCoordinator::open_shopper(const std::string& shopper_id, const std::string& session_id, Done done) {
  if (auto call = shopper_call(shopper_id, session_id, timed("shopper", std::move(done)))) lease_then_claim(call);
}

void StoreCoordinator::claim_entry(const std::string& token_id, WallTime token_exp, const std::string& shopper_id,
                                   const std::string& session_id, EntryDone done) {
  struct Join {
    std::optional<Outcome> token;
    std::optional<Outcome> shopper;
    EntryDone done;
    void answer() {
      if (token && shopper) done(std::move(*token), std::move(*shopper));
    }
  };
  auto join = std::make_shared<Join>();
  join->done = timed("entry", std::move(done));
  auto token = token_call(token_id, session_id, token_exp, [join](Outcome o) {
    join->token = std::move(o);
    join->answer();
  });
  auto shopper = shopper_call(shopper_id, session_id, [join](Outcome o) {
    join->shopper = std::move(o);
    join->answer();
  });
  if (token && shopper) {
    leases_then_claim_both({token, shopper});
    return;
  }
  for (const auto& call : {token, shopper}) {
    if (call) lease_then_claim(call);
  }
}

std::shared_ptr<StoreCoordinator::ClaimCall> StoreCoordinator::token_call(const std::string& token_id,
                                                                          const std::string& session_id,
                                                                          WallTime token_exp, Done done) {
  if (!valid_key_id(token_id) || !valid_key_id(session_id)) {
    later(std::move(done), Outcome::unavailable("the token id or the session id cannot be a key"));
    return nullptr;
  }
  return new_call(keys_.token(token_id), session_id, token_exp + settings_.lease_skew + settings_.double_use_window,
                  false, std::move(done));
}

std::shared_ptr<StoreCoordinator::ClaimCall> StoreCoordinator::shopper_call(const std::string& shopper_id,
                                                                            const std::string& session_id, Done done) {
  if (!valid_key_id(shopper_id) || !valid_key_id(session_id)) {
    later(std::move(done), Outcome::unavailable("the shopper id or the session id cannot be a key"));
    return nullptr;
  }
  return new_call(keys_.shopper(shopper_id), session_id, clock_.wall_now() + settings_.session_backstop, true,
                  std::move(done));
}

std::shared_ptr<StoreCoordinator::ClaimCall> StoreCoordinator::new_call(std::string key, const std::string& session_id,
                                                                        WallTime until, bool shopper, Done done) {
  const auto now = clock_.steady_now();
  auto call = std::make_shared<ClaimCall>();
  call->key = std::move(key);
  call->shopper = shopper;
  call->holder = Holder{settings_.gate_id, session_id, settings_.instance_id};
  call->value = holder_value(call->holder);
  call->fence = keys_.released(session_id, shopper ? "shopper" : "token");
  call->bucket = book_.bucket_of(until);
  call->claim_deadline = now + settings_.timeout * 2 / 3;
  call->deadline = now + settings_.timeout;
  call->done = std::move(done);
  // A grant another claim started (or one granted ahead) may take longer than this claim may.
  call->guard = loop_.start(settings_.timeout, [alive = std::weak_ptr<int>(alive_), weak = std::weak_ptr(call)] {
    const auto c = weak.lock();
    if (c && !alive.expired()) c->finish(Outcome::unavailable("no answer within the coordination timeout"));
  });
  return call;
}

void StoreCoordinator::leases_then_claim_both(const Pair& calls) {
  // Both buckets' leases (from the book: no call; or granted at once), then one transaction.
  auto leases = std::make_shared<std::array<std::optional<Result<std::int64_t>>, 2>>();
  for (std::size_t i = 0; i < 2; ++i) {
    with_lease(calls[i]->bucket, left(calls[i]->claim_deadline),
               [this, calls, leases, i](Result<std::int64_t> lease) {
                 (*leases)[i] = std::move(lease);
                 const auto& token = (*leases)[0];
                 const auto& shopper = (*leases)[1];
                 if (!token || !shopper) return;
                 if (*token && *shopper && !calls[0]->finished && !calls[1]->finished) {
                   send_claim_both(calls, **token, **shopper);
                   return;
                 }
                 // A lease not granted: each key as when claimed alone.
                 for (std::size_t k = 0; k < 2; ++k) {
                   const auto& l = *(*leases)[k];
                   if (calls[k]->finished) continue;
                   if (l) {
                     send_claim(calls[k], *l);
                   } else {
                     resolve(calls[k], l.error());
                   }
                 }
               });
  }
}

void StoreCoordinator::send_claim_both(const Pair& calls, std::int64_t token_lease, std::int64_t shopper_lease) {
  if (!time_to_claim(calls[0])) {
    calls[1]->finish(Outcome::unavailable(kNoTimeToClaim));
    return;
  }
  kv_.claim_two({calls[0]->key, calls[0]->value, token_lease}, {calls[1]->key, calls[1]->value, shopper_lease},
                {calls[0]->fence, calls[1]->fence}, left(calls[0]->claim_deadline),
                [this, alive = std::weak_ptr<int>(alive_), calls, token_lease,
                 shopper_lease](Result<ClaimTwoAnswer> answer) {
                  if (alive.expired()) return;
                  if (!answer && answer.error().code == "lease_not_found") {
                    // One of the leases is gone (nothing was written; etcd does not say which):
                    // both are forgotten, and each key is claimed alone with its lease granted again.
                    book_.forget(token_lease);
                    book_.forget(shopper_lease);
                    for (const auto& call : calls) {
                      call->lease_renewed = true;
                      lease_then_claim(call);
                    }
                    return;
                  }
                  for (std::size_t i = 0; i < 2; ++i) {
                    const auto& call = calls[i];
                    if (!answer) {
                      resolve(call, answer.error());
                      continue;
                    }
                    grant_next(call->bucket);
                    if (answer->claimed) {
                      call->finish(Outcome::confirmed());
                    } else if (answer->fenced[i]) {
                      call->finish(Outcome::fenced());
                    } else if (const auto& found = answer->holders[i]) {
                      settle(call, *found);
                    } else if (i == 1 && held_elsewhere(answer->holders[0])) {
                      // The entry is refused as a replay: its shopper's key is not written.
                      call->finish(Outcome::unavailable("not claimed: the token is held by another gate array"));
                    } else {
                      // Free while the other key is held: claimed alone.
                      lease_then_claim(call);
                    }
                  }
                });
}

bool StoreCoordinator::held_elsewhere(const std::optional<std::string>& found) const {
  if (!found) return false;
  const auto holder = read_holder(*found);
  return !holder || holder->gate != settings_.gate_id;
}

bool StoreCoordinator::time_to_claim(const std::shared_ptr<ClaimCall>& call) {
  if (call->claim_deadline - clock_.steady_now() >= kLeastClaimTime) return true;
  call->finish(Outcome::unavailable(kNoTimeToClaim));
  return false;
}

void StoreCoordinator::lease_then_claim(const std::shared_ptr<ClaimCall>& call) {
  with_lease(call->bucket, left(call->claim_deadline), [this, call](Result<std::int64_t> lease) {
    if (call->finished) return;
    if (!lease) {
      resolve(call, lease.error());
      return;
    }
    send_claim(call, *lease);
  });
}

void StoreCoordinator::with_lease(WallTime bucket, std::chrono::milliseconds timeout,
                                  std::function<void(Result<std::int64_t>)> then) {
  if (const auto lease = book_.find(bucket, clock_.wall_now())) {
    then(*lease);
    return;
  }
  auto& waiting = granting_[bucket];
  waiting.push_back(std::move(then));
  if (waiting.size() == 1) grant(bucket, timeout);
}

void StoreCoordinator::grant(WallTime bucket, std::chrono::milliseconds timeout) {
  const auto ttl = LeaseBook::ttl_for(bucket, clock_.wall_now(), kMinLeaseTtl);
  kv_.grant_lease(ttl, timeout, [this, alive = std::weak_ptr<int>(alive_), bucket](Result<StoreLease> lease) {
    if (alive.expired()) return;
    if (lease) book_.add(bucket, lease->id);
    auto waiting = std::move(granting_[bucket]);
    granting_.erase(bucket);
    for (auto& then : waiting) {
      if (lease) {
        then(lease->id);
      } else {
        then(lease.error());
      }
    }
  });
}

void StoreCoordinator::send_claim(const std::shared_ptr<ClaimCall>& call, std::int64_t lease) {
  if (!time_to_claim(call)) return;
  kv_.claim(call->key, call->value, lease, call->fence, left(call->claim_deadline),
            [this, alive = std::weak_ptr<int>(alive_), call, lease](Result<ClaimAnswer> answer) {
              if (alive.expired()) return;
              if (!answer && answer.error().code == "lease_not_found" && !call->lease_renewed) {
                // Gone early (revoked, or this box's clock jumped): a new one, once.
                book_.forget(lease);
                call->lease_renewed = true;
                lease_then_claim(call);
                return;
              }
              if (!answer) {
                resolve(call, answer.error());
                return;
              }
              grant_next(call->bucket);
              if (answer->claimed) {
                call->finish(Outcome::confirmed());
              } else if (answer->fenced) {
                call->finish(Outcome::fenced());
              } else {
                settle(call, answer->holder);
              }
            });
}

void StoreCoordinator::grant_next(WallTime bucket) {
  // Ready the next bucket's lease before a claim needs it.
  const auto next = bucket + book_.width();
  if (!book_.find(next, clock_.wall_now()) && !granting_.contains(next)) {
    granting_[next];
    grant(next, kGrantAheadTimeout);
  }
}

void StoreCoordinator::settle(const std::shared_ptr<ClaimCall>& call, const std::string& found) {
  const auto holder = read_holder(found);
  // Our own holder: an earlier send of this claim was carried out.
  if (holder && holder->same_claim(call->holder)) {
    call->finish(Outcome::confirmed());
  } else if (holder && holder->gate == settings_.gate_id) {
    own_gate_holder(call, *holder, found);
  } else {
    call->finish(Outcome::refused(found));
  }
}

void StoreCoordinator::own_gate_holder(const std::shared_ptr<ClaimCall>& call, const Holder& holder,
                                       const std::string& value) {
  const bool this_database = holder.instance == settings_.instance_id;
  const SessionFate fate = fate_here(holder.session);
  if (fate == SessionFate::unreadable) {
    // Never a double use or a shared gate_id on a failed read: asked again later.
    call->finish(Outcome::unavailable("this gate's database could not read session " + holder.session +
                                      " that holds the key under this gate_id"));
    return;
  }
  if (fate == SessionFate::ended && (this_database || holder.instance.empty()) && !call->took_over) {
    take_over(call, value);
    return;
  }
  if (this_database && fate == SessionFate::live && call->shopper) {
    // Soft anti-passback admitted a second session of a shopper still inside here: the key
    // stays with the first, which releases it when it ends.
    call->finish(Outcome::confirmed());
    return;
  }
  if (fate == SessionFate::unknown || (!this_database && !holder.instance.empty())) {
    report_shared(call->shopper ? "shopper" : "token", holder, fate);
  }
  call->finish(Outcome::refused(value));
}

SessionFate StoreCoordinator::fate_here(const std::string& session_id) const {
  return session_fate_ ? session_fate_(session_id) : SessionFate::unknown;
}

void StoreCoordinator::report_shared(const std::string& key_kind, const Holder& holder, SessionFate fate) {
  ++gate_id_shared_;
  spdlog::error("event=store_gate_id_shared kind={} gate_id={} session={} instance={} known_here={} detail={}",
                key_kind, log_value(holder.gate), log_value(holder.session),
                log_value(holder.instance.empty() ? std::string("none") : holder.instance),
                fate == SessionFate::unknown ? "no" : fate == SessionFate::unreadable ? "unreadable" : "yes",
                log_value("a key in the store's etcd is held under this gate_id by a session this database cannot "
                          "vouch for: another box uses the same gate_id, or this database was restored or copied; "
                          "refused as another array's claim. Give every gate array its own gate_id "
                          "(docs/troubleshooting.md)"));
}

void StoreCoordinator::take_over(const std::shared_ptr<ClaimCall>& call, const std::string& stale) {
  call->took_over = true;
  kv_.remove_if(call->key, stale, left(call->claim_deadline),
                [this, alive = std::weak_ptr<int>(alive_), call](Result<bool> removed) {
                  if (alive.expired() || call->finished) return;
                  if (!removed) {
                    call->finish(Outcome::unavailable("taking over this array's older claim: " +
                                                      removed.error().message));
                    return;
                  }
                  // Removed, or changed meanwhile: the claim says who holds it now.
                  lease_then_claim(call);
                });
}

void StoreCoordinator::resolve(const std::shared_ptr<ClaimCall>& call, const Error& why) {
  if (why.code == "refused" || why.code == "lease_not_found") {
    // etcd answered and wrote nothing.
    call->finish(Outcome::unavailable(why.message));
    return;
  }
  kv_.get(call->key, left(call->deadline),
          [this, alive = std::weak_ptr<int>(alive_), call, why](Result<std::optional<std::string>> value) {
            if (alive.expired()) return;
            if (!value) {
              call->finish(Outcome::unavailable(why.message + "; reading the key back: " + value.error().message));
              return;
            }
            if (!value->has_value()) {
              call->finish(Outcome::unavailable(why.message + "; the key is not written"));
              return;
            }
            const auto holder = read_holder(**value);
            if (holder && holder->same_claim(call->holder)) {
              call->finish(Outcome::confirmed());
            } else if (holder && holder->gate == call->holder.gate &&
                       (holder->instance.empty() || holder->instance == call->holder.instance)) {
              // This array's older claim, and no time left to take it over: the fallback decides,
              // reconciliation takes it over.
              call->finish(Outcome::unavailable(why.message + "; the key holds this array's older claim"));
            } else {
              if (holder && holder->gate == call->holder.gate) {
                report_shared(call->shopper ? "shopper" : "token", *holder, fate_here(holder->session));
              }
              call->finish(Outcome::refused(**value));
            }
          });
}

void StoreCoordinator::close_shopper(const std::string& shopper_id, const std::string& session_id, Done done) {
  if (!valid_key_id(shopper_id)) {
    later(std::move(done), Outcome::unavailable("the shopper id cannot be a key"));
    return;
  }
  release_key(keys_.shopper(shopper_id), session_id, "shopper", std::move(done));
}

void StoreCoordinator::release_token(const std::string& token_id, const std::string& session_id, Done done) {
  if (!valid_key_id(token_id)) {
    later(std::move(done), Outcome::unavailable("the token id cannot be a key"));
    return;
  }
  release_key(keys_.token(token_id), session_id, "token", std::move(done));
}

void StoreCoordinator::release_key(const std::string& key, const std::string& session_id, const char* kind,
                                   Done done) {
  if (!valid_key_id(session_id)) {
    later(std::move(done), Outcome::unavailable("the session id cannot be a key"));
    return;
  }
  const Holder holder{settings_.gate_id, session_id, settings_.instance_id};
  const auto deadline = clock_.steady_now() + settings_.timeout;
  // The fence outlives every lease a claim of this session (sent before this release) can
  // carry: a shopper's key's, now + session_backstop; a token's, exp + lease_skew + the
  // double-use window, where exp is at most the token's lifetime (300 s) plus the clock skew
  // after its admission, less than the shortest session_backstop (600 s).
  const auto fence_until =
      clock_.wall_now() + settings_.session_backstop + settings_.lease_skew + settings_.double_use_window;
  with_lease(book_.bucket_of(fence_until), left(deadline), [this, key, holder, kind, deadline,
                                                            done = std::move(done)](Result<std::int64_t> lease) mutable {
    if (!lease) {
      done(Outcome::unavailable("the fence's lease: " + lease.error().message));
      return;
    }
    const auto value = holder_value(holder);
    kv_.release(key, value, {keys_.released(holder.session, kind), value, *lease}, left(deadline),
                [this, alive = std::weak_ptr<int>(alive_), key, lease = *lease,
                 legacy = holder_value(Holder{holder.gate, holder.session, {}}),
                 done = std::move(done)](Result<bool> removed) mutable {
                  if (alive.expired()) return;
                  if (!removed) {
                    // A gone lease is granted again when the release is retried.
                    if (removed.error().code == "lease_not_found") book_.forget(lease);
                    done(Outcome::unavailable(removed.error().message));
                    return;
                  }
                  if (*removed || settings_.instance_id.empty()) {
                    done(Outcome::confirmed());
                    return;
                  }
                  kv_.remove_if(key, legacy, settings_.timeout,
                                [alive, done = std::move(done)](Result<bool> legacy_removed) {
                                  if (alive.expired()) return;
                                  done(legacy_removed ? Outcome::confirmed()
                                                      : Outcome::unavailable(legacy_removed.error().message));
                                });
                });
  });
}

void StoreCoordinator::publish_totals(const PassageTotals& totals, Done done) {
  kv_.put(keys_.occupancy(settings_.gate_id), totals_value(totals), 0, settings_.timeout,
          [alive = std::weak_ptr<int>(alive_), done = std::move(done)](Status written) {
            if (alive.expired()) return;
            done(written ? Outcome::confirmed() : Outcome::unavailable(written.error().message));
          });
}

void StoreCoordinator::read_occupancy(std::function<void(Result<Occupancy>)> done) {
  kv_.range(keys_.occupancy(), kMaxArrays, settings_.timeout,
            [alive = std::weak_ptr<int>(alive_), done = std::move(done)](Result<std::vector<StoreKeyValue>> keys) {
              if (alive.expired()) return;
              if (!keys) {
                done(keys.error());
                return;
              }
              done(sum_occupancy(*keys));
            });
}

void StoreCoordinator::count_open_sessions(std::function<void(Result<std::int64_t>)> done) {
  kv_.count(keys_.shoppers(), settings_.timeout,
            [alive = std::weak_ptr<int>(alive_), done = std::move(done)](Result<std::int64_t> n) {
              if (alive.expired()) return;
              done(std::move(n));
            });
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::confirmed: return "confirmed";
    case Verdict::refused: return "refused";
    case Verdict::unavailable: return "unavailable";
  }
  return "unavailable";
}

}  // namespace passgate::coordination
