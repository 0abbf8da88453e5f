// A card tap at a lane's reader (kind = "tap"): the gateway simulator's test helper presents
// the card; the gate's answer reaches the lane's display as a scan's does. A reader that takes
// no card (re-arming after the previous tap) is tapped again every kTapRetry until
// kTapReadyDeadline, unless the step expects exactly that (not_collecting: card entry off).
// A reader going offline or coming back (kind = "reader"): the gateway simulator's reader
// fault, then the lane's display must say card entry is off (or on) within kCardEntryDeadline.
#include "tools/sim/rig/step.hpp"

#include <algorithm>

namespace passgate::sim {
namespace {

constexpr int kReadStatus = 200;         // the simulator read the card
constexpr int kNotCollectingStatus = 400;  // the reader collects nothing now

class TapRun final : public StepRun {
 public:
  TapRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), tap_(std::get<TapStep>(step.action)) {}

 private:
  void run() override {
    if (ctx_.taps == nullptr) {
      event("no gateway simulator to tap at" + expect("card tapped", "no --gateway-control-port", false));
      finish();
      return;
    }
    ready_by_ = ctx_.clock.steady_now() + kTapReadyDeadline;
    tap();
  }

  void tap() {
    // From before the tap: the gate may answer before the simulator's reply comes back.
    answer_ = ctx_.scanner.await_answer(step_.lane, kTapAnswerDeadline, [this](const ScanOutcome& o) { answered(o); });
    ++taps_;
    ctx_.taps->tap(tap_.reader, tap_.card, [this](Result<int> status) { tapped(status); });
  }

  void tapped(const Result<int>& status) {
    if (status && *status == kReadStatus && tap_.expect != kNotCollecting) return;  // the gate's answer decides
    answer_.reset();
    if (status && *status == kReadStatus) {
      return done("the reader read the card" + expect(std::string(kNotCollecting), "card read", false));
    }
    if (!status) return done(status.error().message + expect("card tapped", "failed", false));
    if (*status != kNotCollectingStatus) {
      return done("the gateway simulator answered " + std::to_string(*status) +
                  expect("card tapped", "HTTP " + std::to_string(*status), false));
    }
    if (tap_.expect == kNotCollecting) {
      return done("the reader took no card" + expect(std::string(kNotCollecting), std::string(kNotCollecting), true));
    }
    if (ctx_.clock.steady_now() < ready_by_) {
      retry_ = ctx_.gate_timers.start(kTapRetry, [this] { tap(); });
      return;
    }
    done("the reader took no card within " + std::to_string(kTapReadyDeadline.count()) + " ms" +
         expect(tap_.expect, std::string(kNotCollecting), false));
  }

  void answered(const ScanOutcome& outcome) {
    text_ = outcome.text() + expect(tap_.expect, outcome.name(), outcome.name() == tap_.expect);
    if (taps_ > 1) text_ = "read at tap " + std::to_string(taps_) + ": " + text_;
    if (outcome.kind != ScanOutcome::Kind::admitted) return done(text_);
    walk(step_.lane, ctx_.random_walk(Direction::entering, AtBarrier::wait, ctx_.random_ms(300, 600)),
         [this](WalkOutcome w) { walked(w); });
    mark_scanned();
  }

  void walked(const WalkOutcome& w) {
    count_walk(step_.lane, w, PassageKind::entered);
    const bool entered = w.result == WalkResult::passed;
    done(text_ + ", " + (entered ? "1 entered" : "backed out at the closed barrier") +
         expect("1 entered", entered ? "1 entered" : "0 entered", entered));
  }

  // Not from inside answer_'s callback with answer_ reset: it is running.
  void done(const std::string& text) {
    event(text);
    finish();
  }

  const TapStep& tap_;
  SteadyTime ready_by_{};
  int taps_ = 0;
  std::unique_ptr<Watch> answer_;
  std::unique_ptr<Timer> retry_;
  std::string text_;
};

// What an idle entry lane shows when its card entry goes off or comes on (the gate's texts).
constexpr std::string_view kCardEntryOff = "card entry off: use the app";
constexpr std::string_view kCardEntryOn = "card entry on";

class ReaderRun final : public StepRun {
 public:
  ReaderRun(RigContext& ctx, const Step& step) : StepRun(ctx, step), reader_(std::get<ReaderStep>(step.action)) {}

 private:
  void run() override {
    const std::string fault = reader_.online ? "online" : "offline";
    if (ctx_.taps == nullptr) {
      event("no gateway simulator to tell" + expect("reader " + fault, "no --gateway-control-port", false));
      finish();
      return;
    }
    // From before the fault: the gate may notice it before the simulator's reply comes back.
    first_display_ = ctx_.gate.displays(step_.lane).size();
    ctx_.taps->set_reader_fault(reader_.reader, fault, [this](const Status& s) { fault_set(s); });
  }

  void fault_set(const Status& s) {
    if (!s) {
      event(s.error().message + expect("fault set", "failed", false));
      finish();
      return;
    }
    const std::string_view wanted = reader_.online ? kCardEntryOn : kCardEntryOff;
    since_ = ctx_.clock.steady_now();
    wait_ = ctx_.conditions().within(ctx_.gate_timers, kCardEntryDeadline, [this, wanted] { return shown(wanted); },
                                     [this, wanted](bool seen) { answered(std::string(wanted), seen); });
  }

  void answered(const std::string& wanted, bool seen) {
    const auto ms = std::chrono::duration_cast<Millis>(ctx_.clock.steady_now() - since_).count();
    if (seen) {
      event("the lane shows \"" + wanted + "\" after " + std::to_string(ms) + " ms" + expect(wanted, wanted, true));
    } else {
      event("the lane did not show \"" + wanted + "\" within " + std::to_string(kCardEntryDeadline.count()) + " ms" +
            expect(wanted, "not shown", false));
    }
    finish();
  }

  // The lane displayed `text` since the step began.
  bool shown(std::string_view text) const {
    const auto& texts = ctx_.gate.displays(step_.lane);
    return std::find(texts.begin() + static_cast<std::ptrdiff_t>(first_display_), texts.end(), text) != texts.end();
  }

  const ReaderStep& reader_;
  std::size_t first_display_ = 0;
  SteadyTime since_{};
  std::unique_ptr<Watch> wait_;
};

}  // namespace

std::unique_ptr<StepRun> make_reader_run(RigContext& ctx, const Step& step) {
  return std::make_unique<ReaderRun>(ctx, step);
}

std::unique_ptr<StepRun> make_tap_run(RigContext& ctx, const Step& step) { return std::make_unique<TapRun>(ctx, step); }

}  // namespace passgate::sim
