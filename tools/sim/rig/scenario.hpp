// Scenario: what a rig run plays, read from a TOML file (format: tools/sim/scenarios/README.md).
// A scenario is a list of steps played in file order; each step is one kind of visitor or
// event (a shopper scanning a token, a tailgater, people leaving, a fire drill, a tracking
// engine or payment gateway fault, a card reader going offline, ...). parse_scenario() checks everything up front and names the first problem
// as "file:line: step N (kind): what is wrong, what is expected".
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "tools/sim/gateway/server.hpp"
#include "tools/sim/rig/lane_model.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::sim {

// What the scanner adds around the token text (real scanners do both).
enum class ScanSuffix { none, crlf, aim };
[[nodiscard]] std::string_view to_string(ScanSuffix s);
[[nodiscard]] std::optional<ScanSuffix> scan_suffix_from_string(std::string_view s);
// The raw text the scanner reports for `token`: "]Q1" + token, token + "\r\n", or token.
[[nodiscard]] std::string scanner_text(ScanSuffix s, const std::string& token);

// What the gate answers a token with this flaw: "admitted" for none, else the denial reason.
[[nodiscard]] std::string_view expected_outcome(TokenFlaw f);

// Which token a shopper shows.
struct TokenChoice {
  TokenFlaw flaw = TokenFlaw::none;  // none: valid
  std::string replay_of;             // non-empty: show again the token of the step with this label
};
// As written in a scenario: "valid", a flaw name ("expired") or "replay:<label>".
[[nodiscard]] std::string to_string(const TokenChoice& t);

// A shopper scans a token; if admitted, `walkers` people walk in one after another.
struct ShopperStep {
  TokenChoice token;
  std::optional<int> group;          // the grp claim (absent: no claim, the gate admits 1)
  int walkers = 1;                   // default: group, or 1
  std::string subject;               // empty: a subject of its own ("shp_rig_<step>")
  std::string expect;                // "admitted" or a denial reason
  std::optional<ScanSuffix> suffix;  // empty: the --scanner-suffix default
  bool follow = false;               // may scan while the lane's previous group still walks
  std::string payment_method;        // the token's pay.payment_method; empty: the minter's default
};
// A valid grp=1 shopper walks in; a second person glued behind forces the closed barrier.
struct TailgaterStep {
  std::optional<ScanSuffix> suffix;
};
// Someone enters through an exit lane from outside, forcing the barrier.
struct WrongWayStep {};
// People leave through an exit lane; `expect_free`: release_out must come on within 500 ms.
struct ExitStep {
  int people = 1;
  bool expect_free = false;
};
// A person steps in up to both beams and backs out: no passage.
struct BackoutStep {};
// Beam chatter: quick 2-5 ms toggles of one beam, with nobody passing.
struct BounceStep {
  Beam beam = Beam::outer;
  int toggles = 4;
};
// Fire alarm on for `duration`: every lane must open both ways, a scan on `lane` must be
// refused (lane_unavailable), `leavers` people leave through `lane`; then alarm off.
struct FireDrillStep {
  int lane = 0;
  Millis duration{0};
  int leavers = 2;
};
enum class TrackingFault { none, unreachable, slow };
[[nodiscard]] std::string_view to_string(TrackingFault f);
// Tells the tracking simulator to misbehave (or stop misbehaving).
struct TrackingStep {
  TrackingFault fault = TrackingFault::none;
  Millis delay{0};  // slow only
};
// Tells the payment-gateway simulator to misbehave (or stop misbehaving).
struct GatewayStep {
  GatewayFault fault;
};
struct PauseStep {
  Millis duration{0};
};
// The gate's answer to a tap when the reader takes no card (card entry off on the lane).
inline constexpr std::string_view kNotCollecting = "not_collecting";
// A shopper taps a test card at `reader` (a reader the gateway simulator runs, the lane's); if
// admitted, one person walks in.
struct TapStep {
  std::string reader;                    // "tmr_..."
  std::string card = "4242424242424242"; // a test card number of the simulator
  std::string expect = "admitted";       // "admitted", a denial reason or kNotCollecting
};

// A lane's card reader goes offline, or comes back online (the gateway simulator's reader
// fault); the gate must then show "card entry off", or "card entry on", on the lane's display.
struct ReaderStep {
  std::string reader;   // "tmr_..."
  bool online = false;  // false: the reader goes offline
};

using StepAction = std::variant<ShopperStep, TailgaterStep, WrongWayStep, ExitStep, BackoutStep,
                                BounceStep, FireDrillStep, TrackingStep, GatewayStep, PauseStep, TapStep, ReaderStep>;

struct Step {
  int number = 0;           // 1-based position in the scenario
  int line = 0;             // where the step's table starts in the file
  std::string label;        // optional name, unique in the scenario
  std::optional<Millis> at; // start no earlier than this after the scenario starts (nominal)
  bool wait = false;        // start only after every earlier step has finished
  int lane = 0;             // the lane of a lane step; 0 for gate-wide steps
  StepAction action;
};

// "shopper", "tailgater", ... as written in the file.
[[nodiscard]] std::string_view kind_name(const StepAction& action);
// Every kind's name, in the order of StepAction's alternatives.
[[nodiscard]] std::span<const std::string_view> step_kind_names();
// Steps that queue on their lane (everything but fire_drill, tracking, gateway and pause).
[[nodiscard]] bool is_lane_step(const Step& step);

struct Scenario {
  std::string source;  // file name or "builtin:demo"
  std::string name;
  std::vector<Step> steps;

  // Every lane a step uses.
  [[nodiscard]] std::set<int> lanes() const;
  [[nodiscard]] bool uses_tracking() const;
  // Gateway, tap or reader steps: they need the gateway simulator's control port.
  [[nodiscard]] bool uses_gateway() const;
};

// Parses scenario TOML. `source` names it in messages. Error code "bad_scenario".
[[nodiscard]] Result<Scenario> parse_scenario(std::string_view text, const std::string& source);
// "builtin:<name>" or a file path. Error codes "bad_scenario", "not_found", "io_error".
[[nodiscard]] Result<Scenario> load_scenario(const std::string& spec);

}  // namespace passgate::sim
