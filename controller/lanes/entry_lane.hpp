// EntryLane: one entry turnstile as a Boost.Statechart machine.
//   Idle --scan--> Validating --admitted--> Admitting (release_in, led_green)
//   A card tap the lane's card entry admitted is asked about as a scan is (its session opened
//   with the tracking engine), a group of one; a card denial is shown as a scan's.
//   Admitting: each entering passage uses one place of the oldest grant (scan order);
//   a valid scan meanwhile adds its group (scan-ahead); all used or grant timeout
//   → the grant ends: release_in off → Idle (or Validating while answers are pending).
//   A grant that ends while a beam is blocked → Closing: release_in stays on (someone is in
//   the barrier, alarm barrier_obstructed; open places may still be used), closed as soon as
//   the beams are clear, retried every close_retry; after close_retries retries → Fault:
//   release_in off, release_out on (egress free), red, scans refused with lane_unavailable;
//   beams clear → Idle. Unused grants are cancelled when the barrier closes; a grant that
//   ends with someone still in the lane (Closing out of retries, out of service, the fire
//   alarm) lingers: an entering passage uses its places (admitted) until the lane is clear,
//   and only then is it cancelled if nobody used it.
//   Out of service (config or set_in_service) → OutOfService: like Fault until back in
//   service and the beams are clear.
//   Denials show red, beep and name the reason, and the lane goes on.
//   The gate stopping (close_for_shutdown): every new scan is refused with lane_unavailable,
//   while a grant under way and the answers to scans already made go on.
//   Passages nobody granted: tailgate (right behind a grant) or forced; leaving: wrong_way;
//   each is an alarm and reported. Scanner lost: a lasting scanner_fault alarm and egress
//   held free (release_out on) until it is back; nothing else changes.
//   Fire alarm (any state) → Emergency: both releases on, scans refused with
//   lane_unavailable, unused grants cancelled (or lingering, above), passages only reported (entering: forced,
//   leaving: exit), never an alarm; cleared → Clearing (releases still on) until the beams
//   are clear → Idle (or OutOfService).
// The machine and its states are private to entry_lane.cpp; the Lane calls both lanes take
// alike are forwarded by LaneAdapter. Single-threaded: call from the event loop.
#pragma once

#include <optional>
#include <string>

#include "controller/config/config.hpp"
#include "controller/lanes/lane_adapter.hpp"
#include "controller/lanes/ports.hpp"

namespace passgate::controller {

struct EntryLaneMachine;
extern template class LaneAdapter<EntryLaneMachine>;

class EntryLane final : public LaneAdapter<EntryLaneMachine> {
 public:
  EntryLane(const LaneConfig& config, LanePorts ports);

  void on_scan(std::string token) override;
  // A read the scan filter refused (over-long, or a byte outside printable ASCII): it cannot
  // be a token, so it is denied as malformed, shown and reported like any other answer.
  void on_unreadable_scan();
  [[nodiscard]] std::string state_name() const override;
  // Also while a grant that ended with someone in the lane lingers (its places usable until
  // the lane is clear).
  [[nodiscard]] bool passage_in_progress() const override;
  [[nodiscard]] bool grant_open_for(const std::string& session_id) const override;
  // An entering passage outside Serving uses a lingering grant's place first (reported
  // admitted for its session); the lane clear ends the lingering grants (those unused cancelled).
  void on_passage(Direction d) override;
  void on_beams(bool outer_blocked, bool inner_blocked) override;
  // The fire alarm cleared with the lane clear also ends the lingering grants.
  void on_alarm(bool active) override;
  // The gate is stopping: from now on every scan is refused with lane_unavailable (an idle
  // lane's display says "closed"); a passage under way, and answers to scans already made,
  // go on as usual.
  void close_for_shutdown();
  // The lane's card entry (controller/card_entry/runner.hpp) admitted a tap: the session,
  // committed with its hold, is opened with the tracking engine as a scan's session is and
  // then granted to one person like an app admission (scan-ahead, tailgating and the grant
  // time-out alike). A lane that cannot take it (fire alarm, fault, out of service, stopping)
  // refuses it as it refuses a late answer: the session ends cancelled or denied.
  void on_card_admitted(std::string session_id);
  // The card entry turned a tap away: shown (red, buzzer, the reason) and reported as a scan's
  // denial is; during the fire alarm only reported. The lane's state does not change.
  void on_card_denied(DenialReason reason);
  // Card entry turned on or off: an idle lane's display says so ("use the app" when off).
  void on_card_entry(bool enabled);
  // The lane's scanner was lost (unplugged, read error) or is back.
  void on_scanner_connection(bool connected, const std::string& detail);
  [[nodiscard]] bool scanner_connected() const;
  // The scanner's last connection report, e.g. "no rig connected"; empty before one.
  [[nodiscard]] const std::string& scanner_detail() const;
  // People still allowed in on the current grants (0 when not admitting).
  [[nodiscard]] int places_left() const;

  // A passage following a grant's end within this window is a tailgater of that session.
  static constexpr Millis kTailgateWindow{3000};

 private:
  void end_lingering_if_clear();
  void scan(std::optional<std::string> token);
};

}  // namespace passgate::controller
