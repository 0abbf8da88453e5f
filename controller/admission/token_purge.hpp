// TokenPurge: forgets used entry-token ids (db::SessionStore::purge_used_tokens) at start
// and every 10 minutes, by a time the gate's own records vouch for rather than by the wall
// clock alone:
// - no later than the newest of: the purge's high-water mark, the newest admission (a token
//   signed by the issuer's clock allowed it) and, while running, the previous purge's time
//   plus the monotonic time since;
// - never later than the wall clock, and never by a time below the mark: while the wall
//   clock is behind the mark (it stepped back), no purge runs; logged once
//   (event=token_purge_skipped) until the clock has caught up (event=token_purge_resumed).
// So a wall clock that runs fast, by minutes or by years, never forgets an id early, and a
// clock that steps back never reopens a replay window. Created by passgated; single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "common/clock.hpp"
#include "common/vouched_time.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

class TokenPurge {
 public:
  static constexpr Millis kEvery{10 * 60 * 1000};

  // Purges once now, then every kEvery until destroyed.
  TokenPurge(db::SessionStore& sessions, TimerService& timers, Clock& clock);

 private:
  void run();
  // The time to purge by now; empty if the database cannot say.
  [[nodiscard]] std::optional<std::int64_t> purge_time_s();

  db::SessionStore& sessions_;
  TimerService& timers_;
  Clock& clock_;
  VouchedTime vouched_{clock_};
  bool behind_ = false;  // the wall clock was behind the mark at the last purge (logged)
  std::unique_ptr<Timer> timer_;
};

}  // namespace passgate::controller
