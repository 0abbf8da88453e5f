#include "tools/sim/rig/scenario_player.hpp"

#include <map>

namespace passgate::sim {
namespace {

std::unique_ptr<StepRun> make_run(RigContext& ctx, const Step& step, const StepRun* replayed) {
  const StepAction& a = step.action;
  if (std::holds_alternative<ShopperStep>(a)) return make_shopper_run(ctx, step, replayed);
  if (std::holds_alternative<TailgaterStep>(a)) return make_tailgater_run(ctx, step);
  if (std::holds_alternative<WrongWayStep>(a)) return make_wrong_way_run(ctx, step);
  if (std::holds_alternative<ExitStep>(a)) return make_exit_run(ctx, step);
  if (std::holds_alternative<BackoutStep>(a)) return make_backout_run(ctx, step);
  if (std::holds_alternative<BounceStep>(a)) return make_bounce_run(ctx, step);
  if (std::holds_alternative<FireDrillStep>(a)) return make_fire_drill_run(ctx, step);
  if (std::holds_alternative<TrackingStep>(a)) return make_tracking_run(ctx, step);
  if (std::holds_alternative<GatewayStep>(a)) return make_gateway_run(ctx, step);
  if (std::holds_alternative<TapStep>(a)) return make_tap_run(ctx, step);
  if (std::holds_alternative<ReaderStep>(a)) return make_reader_run(ctx, step);
  return make_pause_run(ctx, step);
}

}  // namespace

ScenarioPlayer::ScenarioPlayer(const Scenario& scenario, const RigParts& parts, std::function<void(bool)> finished)
    : scenario_(scenario), ctx_(parts, scenario.lanes()), finished_(std::move(finished)) {
  std::map<std::string, const StepRun*> by_label;
  for (const Step& step : scenario_.steps) {
    const StepRun* replayed = nullptr;
    if (const auto* shopper = std::get_if<ShopperStep>(&step.action); shopper && !shopper->token.replay_of.empty()) {
      replayed = by_label.at(shopper->token.replay_of);
    }
    runs_.push_back(make_run(ctx_, step, replayed));
    if (!step.label.empty()) by_label.emplace(step.label, runs_.back().get());
    ctx_.report.add_step(step.number, step.label, std::string(kind_name(step.action)), step.lane, step_title(step));
  }
  lane_waits_.resize(runs_.size());
}

void ScenarioPlayer::start() {
  ctx_.wires.set_input(std::string(hw::kFireAlarm), false);
  for (const auto& [n, lane] : ctx_.lanes()) lane->send_levels();
  idle_wait_ = ctx_.conditions().within(ctx_.gate_timers, kIdleDeadline, [this] { return !not_idle(); },
                                        [this](bool idle) {
                                          if (idle) return play();
                                          ctx_.report.note("the gate did not report the scenario's lanes idle within " +
                                                           std::to_string(kIdleDeadline.count()) + " ms: " + *not_idle());
                                          finished_(false);
                                        });
}

void ScenarioPlayer::play() {
  std::string lanes;
  for (const int n : ctx_.known_lanes()) lanes += (lanes.empty() ? "lane" : ", lane") + std::to_string(n);
  ctx_.report.note("gate ready (" + lanes + " idle); playing " + scenario_.name + ", " +
                   std::to_string(runs_.size()) + " steps");
  start_ = ctx_.clock.steady_now();
  all_done_ = ctx_.conditions().when([this] { return all_finished_before(runs_.size()); }, [this] { finished_(true); });
  dispatch(0);
}

void ScenarioPlayer::dispatch(std::size_t index) {
  if (index == runs_.size()) return;
  const Step& step = runs_[index]->step();
  auto after_wait = [this, index, &step] {
    const Millis elapsed = ctx_.rig_timers.nominal(ctx_.clock.steady_now() - start_);
    if (step.at && *step.at > elapsed) {
      at_timer_ = ctx_.rig_timers.start(*step.at - elapsed, [this, index] { launch(index); });
    } else {
      launch(index);
    }
  };
  if (step.wait) {
    dispatch_wait_ = ctx_.conditions().when([this, index] { return all_finished_before(index); }, after_wait);
  } else {
    after_wait();
  }
}

void ScenarioPlayer::launch(std::size_t index) {
  StepRun& run = *runs_[index];
  if (is_lane_step(run.step())) {
    lane_waits_[index] = ctx_.conditions().when([this, index] { return lane_ready(index); },
                                                [this, &run] { ctx_.gate_timers.post([&run] { run.start(); }); });
    dispatch(index + 1);
    return;
  }
  run.start();
  dispatch_wait_ = ctx_.conditions().when([&run] { return run.finished(); }, [this, index] { dispatch(index + 1); });
}

bool ScenarioPlayer::all_finished_before(std::size_t index) const {
  for (std::size_t i = 0; i < index; ++i) {
    if (!runs_[i]->finished()) return false;
  }
  return true;
}

bool ScenarioPlayer::lane_ready(std::size_t index) const {
  const Step& step = runs_[index]->step();
  const auto* shopper = std::get_if<ShopperStep>(&step.action);
  const bool follows = shopper != nullptr && shopper->follow;
  for (std::size_t i = 0; i < index; ++i) {
    const StepRun& earlier = *runs_[i];
    if (earlier.step().lane != step.lane) continue;
    if (follows ? !earlier.scanned() : !earlier.finished()) return false;
  }
  return true;
}

std::optional<std::string> ScenarioPlayer::not_idle() const {
  for (const auto& [n, lane] : ctx_.lanes()) {
    for (const auto role : {hw::LineRole::release_in, hw::LineRole::release_out}) {
      const std::string line = lane->line(role);
      const auto level = ctx_.gate.output(line);
      if (!level) return "the gate has not reported " + line + " (is lane " + std::to_string(n) + " configured?)";
      if (*level) return line + " is still 1";
    }
  }
  return std::nullopt;
}

}  // namespace passgate::sim
