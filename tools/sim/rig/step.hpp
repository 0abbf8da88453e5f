// StepRun: one scenario step being played, and RigContext: what every step plays with (the
// gate view, the wires, lanes, scanner, report, timers, random numbers). The scenario player
// (rig_scenario_player.hpp) decides when each step starts; a step reports its events and
// expectations to the RigReport and says when it is done. Each kind has its own StepRun,
// made by the make_*_run functions below. Single-threaded.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tools/sim/rig/gate_view.hpp"
#include "tools/sim/rig/lane_model.hpp"
#include "tools/sim/rig/person.hpp"
#include "tools/sim/rig/report.hpp"
#include "tools/sim/rig/scaled_timers.hpp"
#include "tools/sim/rig/scanner.hpp"
#include "tools/sim/rig/scenario.hpp"
#include "tools/sim/rig/simulator_faults.hpp"

namespace passgate::sim {

// Deadlines for the gate's reactions, in real time.
inline constexpr Millis kTapReadyDeadline{10000};   // the lane's reader collecting (it may be re-arming)
inline constexpr Millis kTapRetry{250};             // between taps the reader did not take
inline constexpr Millis kTapAnswerDeadline{10000};  // the gate's answer to a card it read
inline constexpr Millis kCardEntryDeadline{10000};  // card entry off/on shown after a reader fault
inline constexpr Millis kFireReleaseDeadline{200};  // every lane open after fire_alarm=1
inline constexpr Millis kExitFreeDeadline{500};     // release_out after a leaver blocks beam_inner
inline constexpr Millis kSettleDeadline{1000};      // releases off again (grant used up, alarm over)

// What a rig run is made of; RigContext adds the lanes and the random numbers.
struct RigParts {
  const Clock& clock;
  TimerService& gate_timers;  // real time: deadlines for the gate
  ScaledTimers& rig_timers;   // the rig's own pace
  GateView& gate;
  RigWires& wires;
  RigScanner& scanner;
  RigReport& report;
  TrackingFaults* tracking;   // null when the run has no tracking control port
  GatewayFaults* gateway;     // null when the run has no gateway control port
  CardTaps* taps;             // the same: the gateway simulator's readers
  std::uint64_t seed;
  ScanSuffix default_suffix;
};

class RigContext : public RigParts {
 public:
  // Makes a lane model for each of `lanes`.
  RigContext(const RigParts& parts, const std::set<int>& lanes);

  [[nodiscard]] Conditions& conditions() { return gate.conditions(); }
  // REQUIRES: `lane` is one of the lanes given at construction.
  [[nodiscard]] RigLaneModel& lane(int lane) { return *lanes_.at(lane); }
  [[nodiscard]] const std::map<int, std::unique_ptr<RigLaneModel>>& lanes() const { return lanes_; }
  // The scenario's lanes plus every lane the gate reported outputs for.
  [[nodiscard]] std::set<int> known_lanes() const;

  // A uniformly random nominal delay in [lo_ms, hi_ms].
  [[nodiscard]] Millis random_ms(int lo_ms, int hi_ms);
  // A person walking at a random pace (0.6-1.2 s), stepping in `gap` after the person ahead.
  [[nodiscard]] Walk random_walk(Direction direction, AtBarrier at_barrier, Millis gap);

 private:
  std::map<int, std::unique_ptr<RigLaneModel>> lanes_;
  std::mt19937_64 rng_;
};

class StepRun {
 public:
  StepRun(RigContext& ctx, const Step& step) : ctx_(ctx), step_(step) {}
  virtual ~StepRun() = default;
  StepRun(const StepRun&) = delete;
  StepRun& operator=(const StepRun&) = delete;

  // Starts playing; the step later marks itself finished.
  void start();
  [[nodiscard]] bool finished() const { return finished_; }
  // The lane's next shopper may scan: this step's scan was answered (or it is finished).
  [[nodiscard]] bool scanned() const { return scanned_ || finished_; }
  // The token this step presented (empty before it scanned or if it scans none).
  [[nodiscard]] const std::string& token() const { return token_; }
  [[nodiscard]] const Step& step() const { return step_; }

 protected:
  virtual void run() = 0;

  void event(const std::string& text);
  [[nodiscard]] std::string expect(const std::string& expected, const std::string& actual, bool met);
  void mark_scanned();
  void finish();
  // Presents token_ at the lane's entry scanner (with `suffix`, else the run's default),
  // counts the scan in the report and passes the gate's answer to `answered`.
  void present_token(int lane, std::optional<ScanSuffix> suffix, std::function<void(const ScanOutcome&)> answered);
  // Walks a person through a lane; the step keeps them until it is destroyed.
  void walk(int lane, Walk walk, std::function<void(WalkOutcome)> done, std::function<void()> stepped_in = {});
  // Counts a finished walk as `kind` if they passed, as a back-out if not.
  void count_walk(int lane, const WalkOutcome& outcome, PassageKind kind);
  // The subject for this step's tokens: the scenario's, or one of the step's own.
  [[nodiscard]] std::string subject(const std::string& wanted) const;

  RigContext& ctx_;
  const Step& step_;
  std::string token_;

 private:
  std::vector<std::unique_ptr<RigPerson>> people_;
  std::unique_ptr<Watch> pending_scan_;
  bool scanned_ = false;
  bool finished_ = false;
};

// "shopper grp=2 (valid)", "exit 3 people", ...: how the report names a step.
[[nodiscard]] std::string step_title(const Step& step);

// `replayed`: for a shopper with token = "replay:<label>", the run of that label's step.
[[nodiscard]] std::unique_ptr<StepRun> make_shopper_run(RigContext& ctx, const Step& step, const StepRun* replayed);
[[nodiscard]] std::unique_ptr<StepRun> make_tailgater_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_wrong_way_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_exit_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_backout_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_bounce_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_fire_drill_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_tracking_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_gateway_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_pause_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_tap_run(RigContext& ctx, const Step& step);
[[nodiscard]] std::unique_ptr<StepRun> make_reader_run(RigContext& ctx, const Step& step);

}  // namespace passgate::sim
