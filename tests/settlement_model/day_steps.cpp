// The step constructors and their C++ spelling (day_steps.hpp).
#include "tests/settlement_model/day_steps.hpp"

#include <algorithm>

namespace passgate::model {

namespace {

const char* card_code(Card card) { return card == Card::visa ? "Card::visa" : "Card::declined"; }

const char* engine_code(Engine engine) { return engine == Engine::admits ? "Engine::admits" : "Engine::refuses"; }

const char* fault_code(Fault fault) {
  switch (fault) {
    case Fault::timeout_applied: return "Fault::timeout_applied";
    case Fault::timeout_lost: return "Fault::timeout_lost";
    case Fault::refused: return "Fault::refused";
    case Fault::error5xx: return "Fault::error5xx";
    case Fault::in_progress409: return "Fault::in_progress409";
    case Fault::rate_limited429: return "Fault::rate_limited429";
    case Fault::decline: return "Fault::decline";
    case Fault::lie_amount: return "Fault::lie_amount";
    case Fault::stale_read: return "Fault::stale_read";
  }
  return "?";
}

const char* deadline_code(Deadline deadline) {
  switch (deadline) {
    case Deadline::told: return "Deadline::told";
    case Deadline::untold: return "Deadline::untold";
    case Deadline::milliseconds: return "Deadline::milliseconds";
    case Deadline::before_tap: return "Deadline::before_tap";
    case Deadline::past_31_days: return "Deadline::past_31_days";
    case Deadline::huge: return "Deadline::huge";
  }
  return "?";
}

const char* resolution_code(Resolution resolution) {
  switch (resolution) {
    case Resolution::claimed: return "Resolution::claimed";
    case Resolution::double_use: return "Resolution::double_use";
    case Resolution::unreachable: return "Resolution::unreachable";
  }
  return "?";
}

std::string tap_code(const CardTap& tap) {
  return std::string("CardTap{") + std::to_string(tap.number) + ", " + (tap.wallet ? "true" : "false") + ", " +
         (tap.incremental ? "true" : "false") + ", " + card_code(tap.rest) + ", " +
         std::to_string(tap.capture_window_ms) +
         (tap.deadline == Deadline::told ? std::string() : std::string(", ") + deadline_code(tap.deadline)) + "}";
}

Step step_of(Step::Kind kind) {
  Step step;
  step.kind = kind;
  return step;
}

}  // namespace

Step admit(int session, std::int64_t hold_minor, Card card, Engine engine) {
  Step step = step_of(Step::Kind::admit);
  step.session = session;
  step.amount = hold_minor;
  step.card = card;
  step.engine = engine;
  return step;
}

Step admit_unverified(int session, std::int64_t hold_minor, Card card, Engine engine) {
  Step step = admit(session, hold_minor, card, engine);
  step.kind = Step::Kind::admit_unverified;
  return step;
}

Step store_answers(int session, Resolution resolution) {
  Step step = step_of(Step::Kind::store);
  step.session = session;
  step.resolution = resolution;
  return step;
}

Step hours_pass(std::int64_t ms) {
  Step step = step_of(Step::Kind::hours);
  step.amount = ms;
  return step;
}

Step store_removed() { return step_of(Step::Kind::store_removed); }

Step operator_charges_cart(int pick) {
  Step step = step_of(Step::Kind::charge_cart);
  step.pick = pick;
  return step;
}

Step card_tap(int session, std::int64_t hold_minor, CardTap tap) {
  Step step = step_of(Step::Kind::tap);
  step.session = session;
  step.amount = hold_minor;
  step.card_tap = tap;
  return step;
}

Step final_cart(int session, std::int64_t total_minor) {
  Step step = step_of(Step::Kind::cart);
  step.session = session;
  step.amount = total_minor;
  return step;
}

Step cancel_at_lane(int session) {
  Step step = step_of(Step::Kind::cancel);
  step.session = session;
  return step;
}

Step gateway_fault(int session, Fault fault) {
  Step step = step_of(Step::Kind::fault);
  step.session = session;
  step.fault = fault;
  return step;
}

Step time_passes(std::int64_t ms) {
  Step step = step_of(Step::Kind::time);
  step.amount = ms;
  return step;
}

Step wall_clock_step(std::int64_t ms) {
  Step step = step_of(Step::Kind::wall);
  step.amount = ms;
  return step;
}

Step crash_restart(std::int64_t down_ms) {
  Step step = step_of(Step::Kind::crash);
  step.amount = down_ms;
  return step;
}

Step crash_before_record(std::int64_t down_ms) {
  Step step = step_of(Step::Kind::crash_recording);
  step.amount = down_ms;
  return step;
}

Step operator_retry(int pick, Funds funds) {
  Step step = step_of(Step::Kind::retry);
  step.pick = pick;
  step.funds = funds;
  return step;
}

Step operator_write_off(int pick) {
  Step step = step_of(Step::Kind::write_off);
  step.pick = pick;
  return step;
}

Step config_reload(int pick) {
  Step step = step_of(Step::Kind::reload);
  step.pick = pick;
  return step;
}

bool runs_store(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& step) {
    return step.kind == Step::Kind::admit_unverified || step.kind == Step::Kind::store ||
           step.kind == Step::Kind::store_removed;
  });
}

std::string to_code(const Step& step) {
  const std::string session = std::to_string(step.session);
  const std::string amount = std::to_string(step.amount);
  switch (step.kind) {
    case Step::Kind::admit:
      return "admit(" + session + ", " + amount + ", " + card_code(step.card) + ", " + engine_code(step.engine) + ")";
    case Step::Kind::admit_unverified:
      return "admit_unverified(" + session + ", " + amount + ", " + card_code(step.card) + ", " +
             engine_code(step.engine) + ")";
    case Step::Kind::store: return "store_answers(" + session + ", " + resolution_code(step.resolution) + ")";
    case Step::Kind::hours: return "hours_pass(" + amount + ")";
    case Step::Kind::store_removed: return "store_removed()";
    case Step::Kind::charge_cart: return "operator_charges_cart(" + std::to_string(step.pick) + ")";
    case Step::Kind::cart: return "final_cart(" + session + ", " + amount + ")";
    case Step::Kind::cancel: return "cancel_at_lane(" + session + ")";
    case Step::Kind::fault: return "gateway_fault(" + session + ", " + fault_code(step.fault) + ")";
    case Step::Kind::time: return "time_passes(" + amount + ")";
    case Step::Kind::wall: return "wall_clock_step(" + amount + ")";
    case Step::Kind::crash: return "crash_restart(" + amount + ")";
    case Step::Kind::crash_recording: return "crash_before_record(" + amount + ")";
    case Step::Kind::retry:
      return "operator_retry(" + (step.pick == kNewestDeadLetter ? "kNewestDeadLetter" : std::to_string(step.pick)) +
             (step.funds == Funds::restored ? std::string(", Funds::restored)") : std::string(")"));
    case Step::Kind::write_off: return "operator_write_off(" + std::to_string(step.pick) + ")";
    case Step::Kind::tap: return "card_tap(" + session + ", " + amount + ", " + tap_code(step.card_tap) + ")";
    case Step::Kind::reload: return "config_reload(" + std::to_string(step.pick) + ")";
  }
  return "?";
}

std::string to_code(const std::vector<Step>& steps, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out = "{\n";
  for (const Step& step : steps) out += pad + "    " + to_code(step) + ",\n";
  return out + pad + "}";
}

}  // namespace passgate::model
