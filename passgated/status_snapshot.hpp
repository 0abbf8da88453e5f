// The status page's picture of the gate, as one JSON object: what `passgatectl status` shows
// (status_reply, the same names: lanes, fire_alarm, tracking, gateway, payment_queue,
// attention, store when [store] is set, ...), each lane with what the page draws besides (places left while admitting,
// both beams, the outputs, its last scans), and the page's own fields: version, health,
// database (ok, or the error that kept status_reply from reading it).
// RecentScans keeps each lane's last kRecentScans answers (outcome and denial reason; never
// a token, a session id or a shopper). Single-threaded, on the event loop.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/lanes/gate.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "hw/io_backend.hpp"
#include "passgated/control_sources.hpp"
#include "passgated/control_status.hpp"

namespace passgate::daemon {

class RecentScans {
 public:
  static constexpr std::size_t kRecentScans = 5;
  void add(int lane, const controller::AdmissionResult& answer, WallTime at);
  // The lane's answers, newest first: [{"at", "at_ms", "outcome": "admitted"|"denied", "reason",
  // "way": "app"|"card", "people", "offline"}].
  [[nodiscard]] nlohmann::json of_lane(int lane) const;

 private:
  std::map<int, std::deque<nlohmann::json>> scans_;
};

struct SnapshotSources {
  const controller::Gate& gate;
  const hw::IoBackend& io;
  ControlSources control;
  std::function<std::optional<std::string>()> health;  // /healthz's problem; empty: healthy
  std::string version;                                  // "passgated 0.1.0 (git ..., ...)"
};

// status_reply's JSON (or, when the database cannot be read, the lanes and fire alarm alone
// with "database": {"ok": false, "error"}), for merge_lanes() to refresh.
[[nodiscard]] nlohmann::json database_part(const SnapshotSources& sources, const Uptime& uptime, WallTime now,
                                           SteadyTime steady_now);
// `status` (database_part's) with the lanes and the fire alarm as they are now, each lane with
// its beams, outputs, places left and recent scans, and the version and health.
[[nodiscard]] nlohmann::json snapshot(nlohmann::json status, const SnapshotSources& sources,
                                      const RecentScans& scans);

}  // namespace passgate::daemon
