#include "tools/sim/rig/step.hpp"

namespace passgate::sim {

RigContext::RigContext(const RigParts& parts, const std::set<int>& lanes) : RigParts(parts), rng_(parts.seed) {
  for (const int n : lanes) lanes_.emplace(n, std::make_unique<RigLaneModel>(n, wires, rig_timers));
}

std::set<int> RigContext::known_lanes() const {
  std::set<int> known = gate.lanes();
  for (const auto& [n, model] : lanes_) known.insert(n);
  return known;
}

Millis RigContext::random_ms(int lo_ms, int hi_ms) {
  return Millis{std::uniform_int_distribution<int>(lo_ms, hi_ms)(rng_)};
}

Walk RigContext::random_walk(Direction direction, AtBarrier at_barrier, Millis gap) {
  return Walk{direction, at_barrier, random_ms(600, 1200), gap};
}

void StepRun::start() {
  ctx_.report.step_started(step_.number);
  run();
}

void StepRun::event(const std::string& text) { ctx_.report.step_event(step_.number, text); }

std::string StepRun::expect(const std::string& expected, const std::string& actual, bool met) {
  return ctx_.report.expect(step_.number, expected, actual, met);
}

void StepRun::mark_scanned() {
  scanned_ = true;
  ctx_.conditions().notify();
}

void StepRun::finish() {
  finished_ = true;
  ctx_.report.step_finished(step_.number);
  ctx_.conditions().notify();
}

void StepRun::present_token(int lane, std::optional<ScanSuffix> suffix,
                            std::function<void(const ScanOutcome&)> answered) {
  const std::string raw = scanner_text(suffix.value_or(ctx_.default_suffix), token_);
  pending_scan_ = ctx_.scanner.present(lane, raw, [this, lane, answered = std::move(answered)](ScanOutcome o) {
    ctx_.report.count_scan(lane, o);
    answered(o);
  });
}

void StepRun::walk(int lane, Walk walk, std::function<void(WalkOutcome)> done, std::function<void()> stepped_in) {
  people_.push_back(std::make_unique<RigPerson>(ctx_.lane(lane), ctx_.gate, ctx_.rig_timers, walk, std::move(done)));
  people_.back()->start(std::move(stepped_in));
}

void StepRun::count_walk(int lane, const WalkOutcome& outcome, PassageKind kind) {
  ctx_.report.count_passage(lane, outcome.result == WalkResult::passed ? kind : PassageKind::backout);
}

std::string StepRun::subject(const std::string& wanted) const {
  return wanted.empty() ? "shp_rig_" + std::to_string(step_.number) : wanted;
}

namespace {

std::string shopper_title(const ShopperStep& s) {
  std::string title = "shopper";
  if (s.group) title += " grp=" + std::to_string(*s.group);
  if (s.walkers != s.group.value_or(1)) title += " walkers=" + std::to_string(s.walkers);
  if (!s.subject.empty()) title += " " + s.subject;
  title += " (" + to_string(s.token);
  if (s.suffix && *s.suffix != ScanSuffix::none) title += ", " + std::string(to_string(*s.suffix));
  return title + ")";
}

}  // namespace

std::string step_title(const Step& step) {
  const auto& a = step.action;
  if (const auto* s = std::get_if<ShopperStep>(&a)) return shopper_title(*s);
  if (const auto* e = std::get_if<ExitStep>(&a)) {
    return "exit " + std::to_string(e->people) + (e->people == 1 ? " person" : " people");
  }
  if (const auto* b = std::get_if<BounceStep>(&a)) {
    return std::string("bounce ") + (b->beam == Beam::outer ? "beam_outer" : "beam_inner") + " x" +
           std::to_string(b->toggles);
  }
  if (const auto* f = std::get_if<FireDrillStep>(&a)) return "fire_drill " + std::to_string(f->duration.count()) + " ms";
  if (const auto* t = std::get_if<TrackingStep>(&a)) {
    std::string title = "tracking fault=" + std::string(to_string(t->fault));
    if (t->fault == TrackingFault::slow) title += " delay=" + std::to_string(t->delay.count()) + " ms";
    return title;
  }
  if (const auto* g = std::get_if<GatewayStep>(&a)) {
    std::string title = "gateway fault=" + std::string(to_string(g->fault.mode));
    if (g->fault.mode == GatewayFaultMode::slow) title += " delay=" + std::to_string(g->fault.delay.count()) + " ms";
    if (g->fault.retry_after) title += " retry_after=" + std::to_string(g->fault.retry_after->count()) + " s";
    if (g->fault.count) title += " count=" + std::to_string(*g->fault.count);
    return title;
  }
  if (const auto* p = std::get_if<PauseStep>(&a)) return "pause " + std::to_string(p->duration.count()) + " ms";
  if (const auto* t = std::get_if<TapStep>(&a)) return "tap " + t->reader + " (card ending " + t->card.substr(t->card.size() - 4) + ")";
  if (const auto* r = std::get_if<ReaderStep>(&a)) return "reader " + r->reader + (r->online ? " online" : " offline");
  return std::string(kind_name(a));
}

}  // namespace passgate::sim
