#include "tools/sim/rig/scenario.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace passgate::sim {
namespace {

constexpr std::array<std::pair<ScanSuffix, std::string_view>, 3> kSuffixes{{
    {ScanSuffix::none, "none"}, {ScanSuffix::crlf, "crlf"}, {ScanSuffix::aim, "aim"}}};

// In the order of StepAction's alternatives.
constexpr std::array<std::string_view, 12> kKindNames{"shopper", "tailgater", "wrong_way", "exit",  "backout",
                                                      "bounce",  "fire_drill", "tracking", "gateway", "pause",
                                                      "tap",     "reader"};
static_assert(kKindNames.size() == std::variant_size_v<StepAction>);

template <class Kind>
bool has_step(const std::vector<Step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const Step& s) { return std::holds_alternative<Kind>(s.action); });
}

}  // namespace

std::string_view to_string(ScanSuffix s) {
  for (const auto& [suffix, name] : kSuffixes) {
    if (suffix == s) return name;
  }
  return "none";
}

std::optional<ScanSuffix> scan_suffix_from_string(std::string_view s) {
  for (const auto& [suffix, name] : kSuffixes) {
    if (name == s) return suffix;
  }
  return std::nullopt;
}

std::string scanner_text(ScanSuffix s, const std::string& token) {
  switch (s) {
    case ScanSuffix::crlf: return token + "\r\n";
    case ScanSuffix::aim: return "]Q1" + token;
    case ScanSuffix::none: break;
  }
  return token;
}

std::string_view expected_outcome(TokenFlaw f) {
  switch (f) {
    case TokenFlaw::none: return "admitted";
    case TokenFlaw::forged:
    case TokenFlaw::der_signature: return "bad_signature";
    default: return token_flaw_name(f);  // the other flaws are named after their denial reason
  }
}

std::string to_string(const TokenChoice& t) {
  if (!t.replay_of.empty()) return "replay:" + t.replay_of;
  return t.flaw == TokenFlaw::none ? "valid" : std::string(token_flaw_name(t.flaw));
}

std::string_view to_string(TrackingFault f) {
  switch (f) {
    case TrackingFault::unreachable: return "unreachable";
    case TrackingFault::slow: return "slow";
    case TrackingFault::none: break;
  }
  return "none";
}

std::string_view kind_name(const StepAction& action) { return kKindNames.at(action.index()); }

std::span<const std::string_view> step_kind_names() { return kKindNames; }

bool is_lane_step(const Step& step) { return step.lane != 0; }

std::set<int> Scenario::lanes() const {
  std::set<int> lanes;
  for (const auto& step : steps) {
    if (step.lane != 0) lanes.insert(step.lane);
    if (const auto* drill = std::get_if<FireDrillStep>(&step.action)) lanes.insert(drill->lane);
  }
  return lanes;
}

bool Scenario::uses_tracking() const { return has_step<TrackingStep>(steps); }

bool Scenario::uses_gateway() const {
  return has_step<GatewayStep>(steps) || has_step<TapStep>(steps) || has_step<ReaderStep>(steps);
}

}  // namespace passgate::sim
