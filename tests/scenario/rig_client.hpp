// RigClient: an in-process rig for scenario tests, on the GateHarness's io_context: a
// RigConnection to passgated's rig socket feeding a GateView (every output level, how often
// each line rose, the displays). It sends input levels and scans, walks a person through a
// lane beam by beam, and waits (bounded, by running the loop) for the gate's reactions.
// Test code: failures are Catch2 REQUIRE failures. Single-threaded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/scenario/gate_harness.hpp"
#include "tools/sim/rig/conditions.hpp"
#include "tools/sim/rig/connection.hpp"
#include "tools/sim/rig/gate_view.hpp"

namespace passgate::scenario {

// A beam level must outlast the gate's debounce before the next one.
inline constexpr std::chrono::milliseconds kBeamHold = kDebounce + 95ms;

// release_in and release_out of every lane.
[[nodiscard]] std::vector<std::string> release_lines();

class RigClient {
 public:
  explicit RigClient(GateHarness& gate);
  ~RigClient();
  RigClient(const RigClient&) = delete;
  RigClient& operator=(const RigClient&) = delete;

  // Connects and waits until the gate has reported every release line (its first `out` burst).
  void connect();
  // Sends every beam and the fire alarm as inactive and waits until every release line is
  // 0; rises_since_ready() counts from here.
  void clear_inputs();
  // connect() then clear_inputs(): the gate in normal service.
  void connect_ready();
  // Closes the link (what the rig sent is delivered first).
  void close();

  void set(const std::string& input, bool active);
  // set(), then the loop runs for kBeamHold: the level outlasts the gate's debounce.
  void hold(const std::string& input, bool active);
  // The lane's entry scanner reads `token`.
  void scan(int lane, const std::string& token);
  // A person entering through `lane`: outer, both, inner, clear, each level held past the debounce.
  void walk_in(int lane);
  // A person leaving through exit lane `lane`: inner, both, outer, clear, the same way.
  void walk_out(int lane);

  // Waits until `line`'s reported level is `active`; false after `limit`.
  [[nodiscard]] bool wait_level(const std::string& output, bool active, std::chrono::milliseconds limit = kReactLimit);
  // Waits until every release line's reported level is `active`.
  [[nodiscard]] bool wait_all_releases(bool active, std::chrono::milliseconds limit = kReactLimit);
  // Waits until `lane`'s display showed `text` (at any time since connecting).
  [[nodiscard]] bool wait_display(int lane, const std::string& text, std::chrono::milliseconds limit = kReactLimit);

  [[nodiscard]] const sim::GateView& view() const { return view_; }
  // How often `output` rose since clear_inputs() finished.
  [[nodiscard]] int rises_since_ready(const std::string& output) const;
  // The gate's `error` replies (it refused something we sent).
  [[nodiscard]] const std::vector<std::string>& gate_errors() const { return gate_errors_; }
  // Why the link ended, if it did.
  [[nodiscard]] const std::optional<std::string>& lost() const { return lost_; }

 private:
  // Closes the link and runs the loop until it is closed; false if that did not happen.
  [[nodiscard]] bool close_link();

  GateHarness& gate_;
  sim::Conditions conditions_;
  sim::GateView view_;
  std::vector<std::string> gate_errors_;
  std::optional<std::string> lost_;
  sim::RigConnection connection_;
  std::map<std::string, int> rises_at_ready_;
};

}  // namespace passgate::scenario
