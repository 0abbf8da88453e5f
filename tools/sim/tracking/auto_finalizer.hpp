// AutoFinalizer: the tracking simulator's cameras for demos (`passgate-sim tracking
// --finalize-after-ms N --cart-seed S`). When the first admitted passage of a session
// arrives, it waits `after` and then finalizes that session's cart with a random cart
// (tracking_random_carts.hpp), so the final-carts feed fills by itself as shoppers walk in.
// A session that is no longer open by then (finalized over the control port, cancelled) is
// left alone and reported as skipped. Faults of the API port do not stop it: the cameras
// keep working while the gate cannot reach the engine. Single-threaded, on the timers' loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "tools/sim/tracking/engine.hpp"
#include "tools/sim/tracking/random_carts.hpp"

namespace passgate::sim {

struct AutoFinalizeSettings {
  Millis after{0};              // from the session's first admitted passage to its final cart
  std::uint64_t cart_seed = 1;  // RandomCarts' seed
  std::string currency = "USD";
};

// What the finalizer did with one session, for the simulator's log.
struct AutoFinalizeLog {
  std::string session_id;
  bool finalized = false;
  std::int64_t total_minor = 0;  // finalized only
  std::size_t items = 0;         // finalized only: item lines
  std::string skipped;           // not finalized: why
};

class AutoFinalizer {
 public:
  // `engine` and `timers` must outlive it; `on_done` (optional) hears about every session.
  AutoFinalizer(TrackingEngine& engine, TimerService& timers, AutoFinalizeSettings settings,
                std::function<void(const AutoFinalizeLog&)> on_done = {});
  AutoFinalizer(const AutoFinalizer&) = delete;
  AutoFinalizer& operator=(const AutoFinalizer&) = delete;

  // Every new passage the engine records: an admitted passage with a session id starts that
  // session's wait, once per session; other passages are ignored.
  void passage(const TrackingPassage& passage);

  [[nodiscard]] const AutoFinalizeSettings& settings() const { return settings_; }
  // Sessions whose cart is still to come.
  [[nodiscard]] std::size_t waiting() const { return waiting_.size(); }

 private:
  void finalize(const std::string& session_id);
  void report(const AutoFinalizeLog& log) const;

  TrackingEngine& engine_;
  TimerService& timers_;
  AutoFinalizeSettings settings_;
  std::function<void(const AutoFinalizeLog&)> on_done_;
  RandomCarts carts_;
  std::set<std::string> seen_;  // every session ever scheduled
  std::map<std::string, std::unique_ptr<Timer>> waiting_;
};

}  // namespace passgate::sim
