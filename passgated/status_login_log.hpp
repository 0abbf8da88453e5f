// StatusLoginLog: the status page's failed-login lines, bounded in all. Each failed login is
// one line (event=status_login_failed peer= user= failures=, the user already sanitized by
// the caller, never a password) and each client limited one (event=status_login_limited),
// while at most kLinesPerSecond lines a second go out (bursts of as many). Past that they are
// counted instead, and one line a second says what went unlogged:
//   event=status_login_failed_many failed=N limited=L peers=P
// (P counts distinct peers up to kMaxCountedPeers). Every line is a synchronous write on the
// event loop, and journald silences a service that floods it, admissions and payments too.
// Single-threaded, on the event loop.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "common/token_bucket.hpp"

namespace passgate::daemon {

class StatusLoginLog {
 public:
  static constexpr double kLinesPerSecond = 10;
  static constexpr Millis kSummaryEvery{1000};
  static constexpr std::size_t kMaxCountedPeers = 4096;

  // `clock` and `timers` outlive this.
  StatusLoginLog(const Clock& clock, TimerService& timers);

  void failed(const std::string& peer, const std::string& user, int failures);
  void limited(const std::string& peer, int failures, std::chrono::seconds for_how_long);

 private:
  // Whether a line may go out now; if not, `peer` is counted for the summary.
  [[nodiscard]] bool may_log(const std::string& peer);
  void summarize();

  const Clock& clock_;
  TimerService& timers_;
  TokenBucket lines_;
  int unlogged_failed_ = 0;
  int unlogged_limited_ = 0;
  std::set<std::string> unlogged_peers_;
  std::unique_ptr<Timer> summary_;
};

}  // namespace passgate::daemon
