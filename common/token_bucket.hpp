// TokenBucket: a rate limit on the steady clock: `rate` tokens a second, at most `burst` held
// (full at first). take() may go below zero, for a cost known only afterwards (time spent
// hashing): the debt is paid by waiting. Used for the HTTP listener's accept rates
// (drivers/http_listener.hpp), and the status page's hashing budget and failed-login lines
// (passgated/status_login.hpp, status_login_log.hpp). Single-threaded; the caller gives the
// time.
#pragma once

#include <chrono>

#include "common/clock.hpp"

namespace passgate {

class TokenBucket {
 public:
  TokenBucket(double rate, double burst, SteadyTime now) : rate_(rate), burst_(burst), tokens_(burst), at_(now) {}
  // Tokens held at `now` (as at the last take when `now` is earlier).
  [[nodiscard]] double tokens(SteadyTime now) const;
  // Takes `n` if that many are held.
  [[nodiscard]] bool try_take(double n, SteadyTime now);
  // Takes `n`, whatever is held.
  void take(double n, SteadyTime now);
  // How long until `n` are held (zero: they are).
  [[nodiscard]] std::chrono::milliseconds until(double n, SteadyTime now) const;
  [[nodiscard]] bool full(SteadyTime now) const { return tokens(now) >= burst_; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  SteadyTime at_;
};

}  // namespace passgate
