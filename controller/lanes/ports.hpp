// What a lane state machine talks to: the admission pipeline (token → session → engine, and
// an admitted card tap's session → engine), the passage/cancel reports to the tracking
// engine, and the hardware. Interfaces so the
// lanes are unit-tested with fakes in virtual time.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/denial_reason.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/alarms.hpp"
#include "hw/io_backend.hpp"
#include "hw/passage_detector.hpp"

namespace passgate::controller {

using Direction = hw::PassageDirection;
// docs/interfaces/tracking-engine.md#reporting-passages
enum class PassageKind { admitted, exit, tailgate, forced, wrong_way };
inline constexpr std::array<PassageKind, 5> kPassageKinds{PassageKind::admitted, PassageKind::exit,
                                                          PassageKind::tailgate, PassageKind::forced,
                                                          PassageKind::wrong_way};

[[nodiscard]] std::string_view to_string(PassageKind k);

// How a shopper asked to enter: the app's QR code, or a card tapped on the lane's reader.
enum class EntryWay { app, card };

struct AdmissionResult {
  bool admitted = false;
  DenialReason reason = DenialReason::lane_unavailable;  // when !admitted
  std::string session_id;                                // when admitted
  int people = 0;                                        // when admitted: min(grp, group limit)
  bool offline = false;                                  // admitted under the offline policy
  EntryWay way = EntryWay::app;                          // a scan, or a card tap
};

class AdmissionPort {
 public:
  using Done = std::function<void(AdmissionResult)>;
  virtual ~AdmissionPort() = default;
  // Checks a scanned token (already normalized) for `lane` and, if it admits, commits the
  // session. Calls `done` exactly once, always later on the loop (never inline).
  virtual void request(int lane, int group_limit, std::string token, Done done) = 0;
  // The session of a card attempt the lane's card entry has admitted (committed with its
  // hold: controller/card_entry/runner.hpp), still `opening`: opened with the tracking engine
  // as a scanned token's session is, and answered as request() answers (admitted for its
  // group of one, or denied: shopper_blocked, offline_limit, lane_unavailable). Calls `done`
  // exactly once, always later on the loop.
  virtual void open_card_session(int lane, std::string session_id, Done done) = 0;
};

class LaneReports {
 public:
  virtual ~LaneReports() = default;
  // A completed passage, to be reported to the tracking engine (durably, via the outbox).
  virtual void passage(int lane, Direction direction, PassageKind kind,
                       const std::optional<std::string>& session_id) = 0;
  // A grant ended (timeout, fire alarm) before anyone of this session passed.
  virtual void grant_unused(const std::string& session_id) = 0;
  // An entry lane answered a scan or a card tap (answer.way), as the lane showed it:
  // admitted, or denied with its reason (lane_unavailable too when the lane itself refused it). Not for the tracking
  // engine: the Gate passes it on to its observers (metrics). Default: nothing.
  virtual void scan_answered(int /*lane*/, const AdmissionResult& /*answer*/) {}
};

struct LanePorts {
  hw::IoBackend& io;
  TimerService& timers;
  Clock& clock;
  AdmissionPort& admission;
  LaneReports& reports;
};

// A lane as the gate drives it. Constructing one drives no output line: its owner (the Gate)
// sets the fire-alarm latch first (on_alarm), so no release is driven off before the latch
// holds it; refresh_outputs() drives them all.
class Lane {
 public:
  virtual ~Lane() = default;
  [[nodiscard]] virtual int number() const = 0;
  virtual void on_scan(std::string token) = 0;
  virtual void on_passage(Direction d) = 0;
  // beam_inner / beam_outer debounced levels (exit lanes open on beam_inner).
  virtual void on_beams(bool outer_blocked, bool inner_blocked) = 0;
  // The fire alarm is raised: both releases on now, nothing else (no light, no state
  // change, no record). The Gate latches every lane this way before it tells any lane
  // (on_alarm), so no lane's lights (perhaps on a slower chip) or exit actions (a grant's
  // cancellation written to the database) delay another's release.
  virtual void latch_alarm() = 0;
  // The first half of latch_alarm(): release_out alone (egress first, on every lane).
  virtual void latch_egress() = 0;
  // Fire alarm raised or cleared. Called for every lane in the same loop turn. Raised: both
  // releases on at once (the latch again), then the state. Cleared: the lane resumes once its
  // beams are clear.
  virtual void on_alarm(bool active) = 0;
  // Out of service (false): scans refused with lane_unavailable, release_in off, egress
  // free, red light. Back in service: the lane resumes once its beams are clear. The fire
  // alarm overrides both.
  virtual void set_in_service(bool in_service) = 0;
  [[nodiscard]] virtual bool in_service() const = 0;
  // Drives every output line of the lane to what its state (and the fire alarm) wants now,
  // e.g. to undo a line driven behind the lane's back (passgatectl hw pulse).
  virtual void refresh_outputs() = 0;
  [[nodiscard]] virtual const LaneAlarms& alarms() const = 0;
  // A config reload: the lane's new settings (same number and kind), each in force from its
  // next use (a grant already running keeps its time-out). An out_of_service that changed
  // takes the lane out of service or back, as set_in_service; one that did not leaves the
  // operator's choice alone.
  virtual void reconfigure(const LaneConfig& config) = 0;
  // Someone is passing, or about to (an entry lane checking a scan, admitting or holding
  // its barrier for someone, or a grant lingering with someone in the lane; an exit lane
  // open): the gate lets it finish before it stops. The fire alarm's states never count.
  [[nodiscard]] virtual bool passage_in_progress() const = 0;
  // The lane holds a grant for `session_id` (an entry lane admitting or closing with that
  // session's group among its grants): someone may still walk through on it.
  [[nodiscard]] virtual bool grant_open_for(const std::string& session_id) const = 0;
  // Name of the current state, for logs, status and tests.
  [[nodiscard]] virtual std::string state_name() const = 0;
};

}  // namespace passgate::controller
