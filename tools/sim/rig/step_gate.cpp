// Gate-wide steps: a fire drill, a tracking-engine fault, a payment-gateway fault, a pause.
#include "tools/sim/rig/step.hpp"

namespace passgate::sim {
namespace {

class FireDrillRun final : public StepRun {
 public:
  FireDrillRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), drill_(std::get<FireDrillStep>(step.action)) {}

 private:
  void run() override {
    ctx_.wires.set_input(std::string(hw::kFireAlarm), true);
    since_ = ctx_.clock.steady_now();
    duration_ = ctx_.rig_timers.start(drill_.duration, [this] {
      drill_over_ = true;
      ctx_.conditions().notify();
    });
    wait_ = ctx_.conditions().within(ctx_.gate_timers, kFireReleaseDeadline, [this] { return !line_not_at(true); },
                                     [this](bool open) {
                                       event("fire alarm on: " + lanes_text(true, open) +
                                             expect("every lane released both ways within " +
                                                        std::to_string(kFireReleaseDeadline.count()) + " ms",
                                                    open ? "released" : *line_not_at(true), open));
                                       scan_during_drill();
                                     });
  }

  void scan_during_drill() {
    token_ = ctx_.scanner.mint(TokenFlaw::none, 1, subject({}));
    present_token(drill_.lane, std::nullopt, [this](const ScanOutcome& o) {
      const bool refused = o.name() == "lane_unavailable";
      event("scan on lane" + std::to_string(drill_.lane) + " during the drill: " + o.text() +
            expect("lane_unavailable", o.name(), refused));
      leave();
    });
  }

  void leave() {
    for (int i = 0; i < drill_.leavers; ++i) {
      walk(drill_.lane, ctx_.random_walk(Direction::leaving, AtBarrier::wait, ctx_.random_ms(300, 600)),
           [this](WalkOutcome w) {
             count_walk(drill_.lane, w, PassageKind::exit);
             (w.result == WalkResult::passed ? left_ : backed_out_) += 1;
             if (left_ + backed_out_ == drill_.leavers) leavers_done();
           });
    }
    if (drill_.leavers == 0) leavers_done();
  }

  void leavers_done() {
    if (drill_.leavers > 0) {
      event(std::to_string(left_) + " of " + std::to_string(drill_.leavers) + " left through entry lane" +
            std::to_string(drill_.lane) +
            expect(std::to_string(drill_.leavers) + " left", std::to_string(left_) + " left", left_ == drill_.leavers));
    }
    wait_ = ctx_.conditions().when([this] { return drill_over_; }, [this] { alarm_off(); });
  }

  void alarm_off() {
    ctx_.wires.set_input(std::string(hw::kFireAlarm), false);
    since_ = ctx_.clock.steady_now();
    wait_ = ctx_.conditions().within(ctx_.gate_timers, kSettleDeadline, [this] { return !line_not_at(false); },
                                     [this](bool closed) {
                                       event("fire alarm off: " + lanes_text(false, closed) +
                                             expect("every lane's releases off within " +
                                                        std::to_string(kSettleDeadline.count()) + " ms",
                                                    closed ? "off" : *line_not_at(false), closed));
                                       finish();
                                     });
  }

  // The first release line (of any lane) not at `level`, described ("lane3 release_out=0").
  std::optional<std::string> line_not_at(bool level) const {
    for (const int lane : ctx_.known_lanes()) {
      for (const auto role : {hw::LineRole::release_in, hw::LineRole::release_out}) {
        const std::string line = hw::line_name(lane, role);
        if (ctx_.gate.active(line) != level) return line + "=" + (level ? "0" : "1");
      }
    }
    return std::nullopt;
  }

  std::string lanes_text(bool level, bool reached) const {
    const auto ms = std::chrono::duration_cast<Millis>(ctx_.clock.steady_now() - since_).count();
    const std::string state = level ? "released both ways" : "releases off";
    if (!reached) return "not every lane " + state + ": " + line_not_at(level).value_or("?");
    return "all " + std::to_string(ctx_.known_lanes().size()) + " lanes " + state + " after " + std::to_string(ms) + " ms";
  }

  const FireDrillStep& drill_;
  SteadyTime since_;
  std::unique_ptr<Timer> duration_;
  std::unique_ptr<Watch> wait_;
  bool drill_over_ = false;
  int left_ = 0, backed_out_ = 0;
};

class TrackingRun final : public StepRun {
 public:
  TrackingRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), tracking_(std::get<TrackingStep>(step.action)) {}

 private:
  void run() override {
    if (ctx_.tracking == nullptr) {
      event("no tracking simulator to tell" + expect("fault set", "no --tracking-control-port", false));
      finish();
      return;
    }
    ctx_.tracking->set_fault(tracking_.fault, tracking_.delay, [this](const Status& s) {
      const std::string mark = expect("fault set", s ? "set" : "failed", s.ok());
      event((s ? "tracking simulator now plays fault " + std::string(to_string(tracking_.fault)) : s.error().message) + mark);
      finish();
    });
  }

  const TrackingStep& tracking_;
};

class GatewayRun final : public StepRun {
 public:
  GatewayRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), gateway_(std::get<GatewayStep>(step.action)) {}

 private:
  void run() override {
    if (ctx_.gateway == nullptr) {
      event("no gateway simulator to tell" + expect("fault set", "no --gateway-control-port", false));
      finish();
      return;
    }
    ctx_.gateway->set_fault(gateway_.fault, [this](const Status& s) {
      const std::string mark = expect("fault set", s ? "set" : "failed", s.ok());
      event((s ? "gateway simulator now plays fault " + std::string(to_string(gateway_.fault.mode)) : s.error().message) +
            mark);
      finish();
    });
  }

  const GatewayStep& gateway_;
};

class PauseRun final : public StepRun {
 public:
  using StepRun::StepRun;

 private:
  void run() override {
    timer_ = ctx_.rig_timers.start(std::get<PauseStep>(step_.action).duration, [this] { finish(); });
  }

  std::unique_ptr<Timer> timer_;
};

}  // namespace

std::unique_ptr<StepRun> make_fire_drill_run(RigContext& ctx, const Step& step) {
  return std::make_unique<FireDrillRun>(ctx, step);
}
std::unique_ptr<StepRun> make_tracking_run(RigContext& ctx, const Step& step) {
  return std::make_unique<TrackingRun>(ctx, step);
}
std::unique_ptr<StepRun> make_gateway_run(RigContext& ctx, const Step& step) {
  return std::make_unique<GatewayRun>(ctx, step);
}
std::unique_ptr<StepRun> make_pause_run(RigContext& ctx, const Step& step) { return std::make_unique<PauseRun>(ctx, step); }

}  // namespace passgate::sim
