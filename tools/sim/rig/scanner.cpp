#include "tools/sim/rig/scanner.hpp"

#include <charconv>

#include "common/denial_reason.hpp"
#include "common/time_format.hpp"
#include "hw/line_names.hpp"

namespace passgate::sim {
namespace {

// The outcome a display text announces, if it is one: "admit <n>" or a denial reason.
std::optional<ScanOutcome> outcome_of(const std::string& text) {
  constexpr std::string_view kAdmit = "admit ";
  if (text.starts_with(kAdmit)) {
    int people = 0;
    const char* first = text.data() + kAdmit.size();
    const char* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, people);
    if (ec == std::errc{} && end == last) return ScanOutcome{ScanOutcome::Kind::admitted, people, {}, kScanAnswerDeadline};
    return std::nullopt;
  }
  if (denial_reason_from_string(text)) return ScanOutcome{ScanOutcome::Kind::denied, 0, text, kScanAnswerDeadline};
  return std::nullopt;
}

// No answer within `deadline`.
ScanOutcome unanswered_within(Millis deadline) {
  return ScanOutcome{ScanOutcome::Kind::unanswered, 0, {}, deadline};
}

}  // namespace

std::string ScanOutcome::name() const {
  switch (kind) {
    case Kind::admitted: return "admitted";
    case Kind::denied: return reason;
    case Kind::unanswered: break;
  }
  return "no answer";
}

std::string ScanOutcome::text() const {
  switch (kind) {
    case Kind::admitted: return people > 0 ? "admitted " + std::to_string(people) : "admitted";
    case Kind::denied: return "denied " + reason;
    case Kind::unanswered: break;
  }
  return "no answer within " + std::to_string(deadline.count()) + " ms";
}

// Waits for the first outcome text shown on the lane after the scan; if release_in rises
// first, gives the text a short grace and then takes the rise as the admission.
class RigScanner::PendingScan final : public Watch {
 public:
  PendingScan(RigScanner& scanner, int lane, Millis deadline, std::function<void(ScanOutcome)> done)
      : scanner_(scanner),
        lane_(lane),
        release_in_(hw::line_name(lane, hw::LineRole::release_in)),
        first_display_(scanner.gate_.displays(lane).size()),
        rises_(scanner.gate_.rises(release_in_)),
        done_(std::move(done)) {
    stage_ = conditions().within(scanner_.gate_timers_, deadline,
                                 [this] { return displayed() || scanner_.gate_.rises(release_in_) > rises_; },
                                 [this, deadline](bool answered) {
                                   if (!answered) return finish(unanswered_within(deadline));
                                   if (auto shown = displayed()) return finish(*shown);
                                   await_text_after_rise();
                                 });
  }

 private:
  Conditions& conditions() { return scanner_.gate_.conditions(); }

  std::optional<ScanOutcome> displayed() const {
    const auto& texts = scanner_.gate_.displays(lane_);
    for (std::size_t i = first_display_; i < texts.size(); ++i) {
      if (auto outcome = outcome_of(texts[i])) return outcome;
    }
    return std::nullopt;
  }

  void await_text_after_rise() {
    stage_ = conditions().within(scanner_.gate_timers_, kDisplayGrace, [this] { return displayed().has_value(); },
                                 [this](bool shown) {
                                   finish(shown ? *displayed() : ScanOutcome{ScanOutcome::Kind::admitted, 0, {}, kScanAnswerDeadline});
                                 });
  }

  void finish(ScanOutcome outcome) {
    auto done = std::move(done_);
    done(std::move(outcome));
  }

  RigScanner& scanner_;
  int lane_;
  std::string release_in_;
  std::size_t first_display_;
  int rises_;
  std::function<void(ScanOutcome)> done_;
  std::unique_ptr<Watch> stage_;
};

RigScanner::RigScanner(TokenIssuer issuer, RigWires& wires, GateView& gate, const Clock& clock,
                       TimerService& gate_timers)
    : issuer_(std::move(issuer)), wires_(wires), gate_(gate), clock_(clock), gate_timers_(gate_timers) {}

std::string RigScanner::mint(TokenFlaw flaw, std::optional<int> group, const std::string& subject,
                             const std::string& payment_method) const {
  TokenSpec spec;
  if (!payment_method.empty()) spec.payment_method = payment_method;
  spec.issuer = issuer_.issuer;
  spec.audience = issuer_.audience;
  spec.subject = subject;
  spec.now = unix_seconds(clock_.wall_now());
  spec.group = group;
  spec.flaw = flaw;
  return mint_token(issuer_.key, spec);
}

std::unique_ptr<Watch> RigScanner::present(int lane, const std::string& raw, std::function<void(ScanOutcome)> done) {
  auto pending = std::make_unique<PendingScan>(*this, lane, kScanAnswerDeadline, std::move(done));
  wires_.scan(hw::entry_scanner_name(lane), raw);
  return pending;
}

std::unique_ptr<Watch> RigScanner::await_answer(int lane, Millis deadline, std::function<void(ScanOutcome)> done) {
  return std::make_unique<PendingScan>(*this, lane, deadline, std::move(done));
}

}  // namespace passgate::sim
