// CardLanes: the gate's card entry, one CardEntryRunner (runner.hpp) per entry lane that has a
// terminal_reader, all on one PaymentTerminal. It wires each runner to its lane through the
// Gate: the lane's outer beam is the runner's presence (fast polls while someone stands in
// the lane), a decision goes to the lane (Gate::on_card_decision: admitted → the session is
// opened and the barrier released as for an app admission; denied → the reason shown), and
// the runner's status is the lane's card entry in Gate::lane_status() (passgatectl lanes and
// status, the metrics). While the gate's fire alarm is active (raised, the alarm loop lost or
// not read yet), and on a lane still clearing after it, the runner is paused ("fire_alarm": no
// tap is taken, nobody admitted); the pause and the resume run from a timer after the gate's
// latch and the driver's release writes, never inside them. passgated makes one after the gate, start()s it when the gate is
// ready and stop()s it when a graceful stop begins. The readers bind at start: a reload
// that adds, removes or changes one needs a restart (controller/config/reload.cpp).
// Single-threaded, on the event loop.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/card_entry/decision.hpp"
#include "controller/card_entry/runner.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "crypto/card_fingerprint.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "ports/payment_terminal.hpp"

namespace passgate::controller {

// What the runners share; each must outlive the CardLanes.
struct CardLaneParts {
  PaymentTerminal* terminal = nullptr;  // null only when no lane has a reader
  db::CardAttemptStore& attempts;
  db::CardBlocklist& blocklist;
  const crypto::PaymentSealer& sealer;  // the daemon's one sealer (a reload changes its keys in place)
  Clock& clock;
  TimerService& timers;
};

class CardLanes final : private GateObserver {
 public:
  // One runner per entry lane of `config` with a reader, not started. Errors: those of
  // PaymentSealer::card_fingerprint_hasher; "no_terminal" (a reader and no terminal).
  [[nodiscard]] static Result<std::unique_ptr<CardLanes>> create(const GateConfig& config, CardLaneParts parts,
                                                                 Gate& gate);
  ~CardLanes() override;
  CardLanes(const CardLanes&) = delete;
  CardLanes& operator=(const CardLanes&) = delete;

  // Every runner resolves what its lane left unfinished, then arms. Once.
  void start();
  // A graceful stop: every runner is stopped (what is under way the next start resolves);
  // card entry is off ("stopping"). Decisions already told the lanes go on.
  void stop();
  // The payment sealing keys changed (a reload): card fingerprints are hashed under the new
  // keys from now on (the previous keys' hashes are still looked up).
  [[nodiscard]] Status keys_changed();
  // Card entry on `lane`: empty if it has no reader.
  [[nodiscard]] std::optional<CardEntryStatus> status(int lane) const;
  // Lanes with a reader.
  [[nodiscard]] std::size_t size() const { return lanes_.size(); }

 private:
  struct Lane {
    CardEntrySettings settings;
    std::unique_ptr<CardEntryRunner> runner;  // null once stopped
    bool outer_blocked = false;
  };
  CardLanes(CardLaneParts parts, crypto::CardFingerprintHasher hasher, Gate& gate);
  void add(const CardEntrySettings& settings);

  // The gate as it is now: every runner paused while the fire alarm is active or its lane is
  // still in a fire-alarm state (clearing), else resumed. follow_gate_soon: from a 0 ms timer.
  void follow_gate();
  void follow_gate_soon();
  void follow_gate_after(Millis delay);
  // How long follow_gate waits again while the I/O backend has release writes queued.
  static constexpr Millis kReleasesPendingWait{5};

  // GateObserver: the outer beam and the fire alarm.
  void on_input_changed(const std::string& /*line*/) override {}
  void on_scan_read(const std::string& /*scanner*/, const std::string& /*text*/) override {}
  void on_scanner_connection(const std::string& /*scanner*/, bool /*connected*/,
                             const std::string& /*detail*/) override {}
  void on_beams(int lane, bool outer_blocked, bool inner_blocked) override;
  void on_fire_alarm(bool active) override;

  CardLaneParts parts_;
  crypto::CardFingerprintHasher hasher_;  // the runners refer to it: changed in place
  Gate& gate_;
  std::map<int, Lane> lanes_;
  bool started_ = false;
  bool stopped_ = false;
  std::unique_ptr<Timer> follow_timer_;  // follow_gate_soon's, while it waits
};

}  // namespace passgate::controller
