// Steps that scan a token: a shopper (and their group walking in), and a tailgater (a
// shopper with someone glued behind who forces the barrier once it has closed).
#include <algorithm>

#include "tools/sim/rig/step.hpp"

namespace passgate::sim {
namespace {

constexpr Millis kTailgaterGap{50};  // glued behind the person ahead

class ShopperRun final : public StepRun {
 public:
  ShopperRun(RigContext& ctx, const Step& step, const StepRun* replayed)
      : StepRun(ctx, step), shopper_(std::get<ShopperStep>(step.action)), replayed_(replayed) {}

 private:
  void run() override {
    if (replayed_ == nullptr) {
      token_ = ctx_.scanner.mint(shopper_.token.flaw, shopper_.group, subject(shopper_.subject), shopper_.payment_method);
      present();
      return;
    }
    // A replay shows the earlier step's token once that step has been answered.
    wait_ = ctx_.conditions().when([this] { return replayed_->scanned(); }, [this] {
      token_ = replayed_->token();
      present();
    });
  }

  void present() {
    if (ctx_.lane(step_.lane).busy()) answer_ = "scanned ahead while people were still walking, ";
    present_token(step_.lane, shopper_.suffix, [this](const ScanOutcome& o) { answered(o); });
  }

  void answered(const ScanOutcome& outcome) {
    answer_ += outcome.text() + expect(shopper_.expect, outcome.name(), outcome.name() == shopper_.expect);
    if (outcome.kind != ScanOutcome::Kind::admitted || shopper_.walkers == 0) {
      event(answer_);
      finish();
      return;
    }
    const int places = outcome.people > 0 ? outcome.people : shopper_.group.value_or(1);
    expected_in_ = std::min(shopper_.walkers, places);
    // The group queues for the lane before the next shopper may scan, so they walk first.
    for (int i = 0; i < shopper_.walkers; ++i) {
      walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::wait, ctx_.random_ms(300, 600)),
           [this](WalkOutcome w) { walked(w); });
    }
    mark_scanned();
  }

  void walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::entered);
    (w.result == WalkResult::passed ? entered_ : backed_out_) += 1;
    if (entered_ + backed_out_ < shopper_.walkers) return;
    std::string text = answer_ + ", " + std::to_string(entered_) + " entered";
    if (backed_out_ > 0) text += ", " + std::to_string(backed_out_) + " backed out at the closed barrier";
    text += expect(std::to_string(expected_in_) + " entered", std::to_string(entered_) + " entered", entered_ == expected_in_);
    event(text);
    finish();
  }

  const ShopperStep& shopper_;
  const StepRun* replayed_;
  std::unique_ptr<Watch> wait_;
  std::string answer_;
  int expected_in_ = 0, entered_ = 0, backed_out_ = 0;
};

class TailgaterRun final : public StepRun {
 public:
  TailgaterRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), tailgater_(std::get<TailgaterStep>(step.action)) {}

 private:
  void run() override {
    token_ = ctx_.scanner.mint(TokenFlaw::none, 1, subject({}));
    present_token(step_.lane, tailgater_.suffix, [this](const ScanOutcome& o) { answered(o); });
  }

  void answered(const ScanOutcome& outcome) {
    const bool admitted = outcome.kind == ScanOutcome::Kind::admitted;
    text_ = "lead " + outcome.text() + expect("admitted", outcome.name(), admitted);
    if (!admitted) {
      event(text_);
      finish();
      return;
    }
    walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::wait, ctx_.random_ms(300, 600)),
         [this](WalkOutcome w) { lead_walked(w); });
  }

  void lead_walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::entered);
    const bool entered = w.result == WalkResult::passed;
    text_ += std::string(", lead ") + (entered ? "entered" : "backed out") + expect("lead entered", entered ? "entered" : "backed out", entered);
    const std::string release_in = ctx_.lane(step_.lane).line(hw::LineRole::release_in);
    wait_ = ctx_.conditions().within(ctx_.gate_timers, kSettleDeadline, [this, release_in] { return !ctx_.gate.active(release_in); },
                                     [this](bool closed) {
                                       text_ += std::string(", barrier ") + (closed ? "closed" : "still released") +
                                                expect("release_in off after the lead", closed ? "off" : "on", closed);
                                       walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::force, kTailgaterGap),
                                            [this](WalkOutcome t) { tailgater_walked(t); });
                                     });
  }

  void tailgater_walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::tailgate);
    const bool forced = !w.released;
    text_ += std::string(", tailgater ") + (forced ? "forced the closed barrier" : "passed a released barrier") +
             expect("tailgater forced a closed barrier", forced ? "forced" : "barrier was released", forced);
    event(text_);
    finish();
  }

  const TailgaterStep& tailgater_;
  std::unique_ptr<Watch> wait_;
  std::string text_;
};

}  // namespace

std::unique_ptr<StepRun> make_shopper_run(RigContext& ctx, const Step& step, const StepRun* replayed) {
  return std::make_unique<ShopperRun>(ctx, step, replayed);
}

std::unique_ptr<StepRun> make_tailgater_run(RigContext& ctx, const Step& step) {
  return std::make_unique<TailgaterRun>(ctx, step);
}

}  // namespace passgate::sim
