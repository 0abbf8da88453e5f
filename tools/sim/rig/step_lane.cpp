// Lane steps without a scan: a wrong-way entry through an exit lane, people leaving, a
// back-out, and beam chatter.
#include "tools/sim/rig/step.hpp"

namespace passgate::sim {
namespace {

constexpr Millis kStepInGap{150};  // an unrelated person stepping into a free lane

class WrongWayRun final : public StepRun {
 public:
  using StepRun::StepRun;

 private:
  void run() override {
    release_in_ = ctx_.lane(step_.lane).line(hw::LineRole::release_in);
    rises_ = ctx_.gate.rises(release_in_);
    walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::force, kStepInGap),
         [this](WalkOutcome w) { walked(w); });
  }

  void walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::wrong_way);
    const bool stayed_closed = !w.released && ctx_.gate.rises(release_in_) == rises_;
    event("walked in through the exit lane, forcing the barrier" +
          expect("release_in stayed off", stayed_closed ? "off" : "released", stayed_closed));
    finish();
  }

  std::string release_in_;
  int rises_ = 0;
};

class ExitRun final : public StepRun {
 public:
  ExitRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), exit_(std::get<ExitStep>(step.action)) {}

 private:
  void run() override {
    const std::string release_out = ctx_.lane(step_.lane).line(hw::LineRole::release_out);
    for (int i = 0; i < exit_.people; ++i) {
      auto on_step_in = [this, release_out] {
        checks_.push_back(ctx_.conditions().within(ctx_.gate_timers, kExitFreeDeadline,
                                                   [this, release_out] { return ctx_.gate.active(release_out); },
                                                   [this](bool free) { free_ += free ? 1 : 0; }));
      };
      walk(step_.lane, ctx_.random_walk(Direction::leaving, AtBarrier::wait, ctx_.random_ms(300, 600)),
           [this](WalkOutcome w) { walked(w); }, exit_.expect_free ? std::function<void()>(on_step_in) : nullptr);
    }
  }

  void walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::exit);
    (w.result == WalkResult::passed ? left_ : backed_out_) += 1;
    if (left_ + backed_out_ < exit_.people) return;
    std::string text = std::to_string(left_) + " left";
    if (backed_out_ > 0) text += ", " + std::to_string(backed_out_) + " backed out at the closed barrier";
    if (exit_.expect_free) {
      const std::string all = std::to_string(exit_.people) + "/" + std::to_string(exit_.people);
      const std::string got = std::to_string(free_) + "/" + std::to_string(exit_.people);
      text += ", release_out within " + std::to_string(kExitFreeDeadline.count()) + " ms for " + got +
              expect("free for " + all, "free for " + got, free_ == exit_.people);
    }
    event(text);
    finish();
  }

  const ExitStep& exit_;
  std::vector<std::unique_ptr<Watch>> checks_;
  int left_ = 0, backed_out_ = 0, free_ = 0;
};

class BackoutRun final : public StepRun {
 public:
  using StepRun::StepRun;

 private:
  void run() override {
    walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::turn_back, kStepInGap), [this](WalkOutcome w) {
      ctx_.report.count_passage(step_.lane, PassageKind::backout);
      event(w.released ? "stepped into the released barrier and backed out" : "stepped into the barrier and backed out");
      finish();
    });
  }
};

class BounceRun final : public StepRun {
 public:
  BounceRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), bounce_(std::get<BounceStep>(step.action)) {}

 private:
  void run() override {
    ctx_.lane(step_.lane).occupy(kStepInGap, [this] { toggle(); });
  }

  // Each toggle: blocked for 2-5 ms, then clear for 2-5 ms.
  void toggle() {
    RigLaneModel& lane = ctx_.lane(step_.lane);
    if (done_ == bounce_.toggles) {
      lane.vacate();
      event(std::to_string(bounce_.toggles) + " toggles of 2-5 ms, nobody passing");
      finish();
      return;
    }
    lane.set_beam(bounce_.beam, true);
    timer_ = ctx_.rig_timers.start(ctx_.random_ms(2, 5), [this] {
      ctx_.lane(step_.lane).set_beam(bounce_.beam, false);
      ++done_;
      timer_ = ctx_.rig_timers.start(ctx_.random_ms(2, 5), [this] { toggle(); });
    });
  }

  const BounceStep& bounce_;
  std::unique_ptr<Timer> timer_;
  int done_ = 0;
};

}  // namespace

std::unique_ptr<StepRun> make_wrong_way_run(RigContext& ctx, const Step& step) {
  return std::make_unique<WrongWayRun>(ctx, step);
}
std::unique_ptr<StepRun> make_exit_run(RigContext& ctx, const Step& step) { return std::make_unique<ExitRun>(ctx, step); }
std::unique_ptr<StepRun> make_backout_run(RigContext& ctx, const Step& step) {
  return std::make_unique<BackoutRun>(ctx, step);
}
std::unique_ptr<StepRun> make_bounce_run(RigContext& ctx, const Step& step) {
  return std::make_unique<BounceRun>(ctx, step);
}

}  // namespace passgate::sim
