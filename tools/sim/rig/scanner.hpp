// RigScanner: the shoppers' phones and the lanes' QR scanners. Mints entry tokens with the
// test issuer's private key (token_minter.hpp), presents raw scanner text at a lane's entry
// scanner and reports what the gate answered: the display text ("admit <n>" or a denial
// reason), or, if the gate shows nothing, the entry release rising. It also awaits the gate's
// answer to a card tap, which reaches the lane the same way. Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "tools/sim/rig/conditions.hpp"
#include "tools/sim/rig/gate_view.hpp"
#include "tools/sim/rig/wires.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::sim {

// How long the gate may take to answer a scan (token check plus the tracking engine's
// entry timeout), in real time.
inline constexpr Millis kScanAnswerDeadline{3000};
// After the release rose without a display text, how long to wait for the text.
inline constexpr Millis kDisplayGrace{300};

struct ScanOutcome {
  enum class Kind { admitted, denied, unanswered };
  Kind kind = Kind::unanswered;
  int people = 0;      // admitted: from "admit <n>"; 0 if the gate only raised release_in
  std::string reason;  // denied: the denial reason
  Millis deadline = kScanAnswerDeadline;  // how long an unanswered one was waited for

  // "admitted", the denial reason, or "no answer": what a scenario's `expect` compares with.
  [[nodiscard]] std::string name() const;
  // "admitted 2", "denied expired", "no answer within 3000 ms" (the deadline).
  [[nodiscard]] std::string text() const;
};

// Who signs the tokens and for whom.
struct TokenIssuer {
  const IssuerKey& key;
  std::string issuer;    // the iss claim
  std::string audience;  // the aud claim: the gate's store id
};

class RigScanner {
 public:
  // `gate_timers` runs in real time: the deadline is for the gate.
  RigScanner(TokenIssuer issuer, RigWires& wires, GateView& gate, const Clock& clock, TimerService& gate_timers);

  // A fresh token (a new random token id, issued now) with the given flaw and grp claim;
  // `payment_method` empty: the minter's default (TokenSpec).
  [[nodiscard]] std::string mint(TokenFlaw flaw, std::optional<int> group, const std::string& subject,
                                 const std::string& payment_method = {}) const;
  // Presents `raw` at lane<lane>.entry; `done` gets the gate's answer. At most one scan per
  // lane may be pending at a time. Destroying the handle abandons the wait.
  [[nodiscard]] std::unique_ptr<Watch> present(int lane, const std::string& raw, std::function<void(ScanOutcome)> done);
  // Awaits the gate's next answer on `lane` (from now on, up to `deadline`) as present() does,
  // without scanning: a card tap's. Destroying the handle abandons the wait.
  [[nodiscard]] std::unique_ptr<Watch> await_answer(int lane, Millis deadline, std::function<void(ScanOutcome)> done);

 private:
  class PendingScan;

  TokenIssuer issuer_;
  RigWires& wires_;
  GateView& gate_;
  const Clock& clock_;
  TimerService& gate_timers_;
};

}  // namespace passgate::sim
