// GateLife and the crash test's shoppers. A GateLife is one life of passgated in the crash
// test: started (if it is not running), an in-process rig connected, and killed with SIGKILL
// by a timer on the harness's loop after `alive` (a crash or power loss at a random moment).
// The shoppers try to enter meanwhile; every wait of theirs also ends when the gate dies, so
// a kill never fails a step: what really happened is read afterwards from the simulators.
// Test code: setup failures are Catch2 REQUIRE failures. Single-threaded, on the harness's loop.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {

// Lane 1's card reader in the crash test.
inline constexpr const char* kCrashReader = "tmr_lane1";

class GateLife {
 public:
  GateLife(GateHarness& gate, std::chrono::milliseconds alive);
  GateLife(const GateLife&) = delete;
  GateLife& operator=(const GateLife&) = delete;

  [[nodiscard]] GateHarness& gate() { return gate_; }
  [[nodiscard]] RigClient& rig() { return *rig_; }
  [[nodiscard]] bool killed() const { return killed_; }
  // Runs the loop for `duration`, or less if the kill comes first.
  void run_for(std::chrono::milliseconds duration);
  // Kills passgated now (the timer no longer matters).
  void kill_now();
  // Runs the loop until the kill, then reaps passgated.
  void end();

 private:
  GateHarness& gate_;
  std::unique_ptr<RigClient> rig_;
  boost::asio::steady_timer kill_timer_;
  bool killed_ = false;
};

// How a shopper's try at the entry ended.
enum class EntryTry {
  walked_in,    // the barrier opened and the shopper walked through
  turned_away,  // the lane showed a denial
  cut_short,    // the gate died first (the shopper may be half-way through)
};

// A card shopper at lane 1: taps `card` whenever the reader collects (again after a
// tap_failed), walks in once the barrier opens, or leaves at a denial.
[[nodiscard]] EntryTry card_shopper(GateLife& life, const std::string& card);
// An app shopper scans `token` at `lane` and walks in once the barrier opens.
[[nodiscard]] EntryTry app_shopper(GateLife& life, int lane, const std::string& token);

}  // namespace passgate::scenario
