#include "controller/lanes/tap.hpp"

#include <utility>

#include "hw/line_names.hpp"

namespace passgate::controller {

LaneTap::LaneTap(AdmissionPort& admission, LaneReports& reports, hw::IoBackend& io, Clock& clock,
                 const GateObservers& observers)
    : admission_(admission), reports_(reports), io_(io), clock_(clock), observers_(observers) {}

void LaneTap::scan_read() { read_at_ = clock_.steady_now(); }

void LaneTap::request(int lane, int group_limit, std::string token, Done done) {
  const SteadyTime read_at = std::exchange(read_at_, std::nullopt).value_or(clock_.steady_now());
  admission_.request(lane, group_limit, std::move(token),
                     [this, lane, read_at, done = std::move(done)](AdmissionResult result) {
                       const std::string release = hw::line_name(lane, hw::LineRole::release_in);
                       const bool was_released = io_.output(release);
                       const bool offline = result.offline;
                       done(std::move(result));
                       if (was_released || !io_.output(release)) return;
                       const auto latency = clock_.steady_now() - read_at;
                       observers_.each([&](GateObserver& o) { o.on_release(lane, latency, offline); });
                     });
}

void LaneTap::passage(int lane, Direction direction, PassageKind kind, const std::optional<std::string>& session_id) {
  reports_.passage(lane, direction, kind, session_id);
  observers_.each([&](GateObserver& o) { o.on_passage(lane, direction, kind); });
}

void LaneTap::grant_unused(const std::string& session_id) { reports_.grant_unused(session_id); }

void LaneTap::scan_answered(int lane, const AdmissionResult& answer) {
  observers_.each([&](GateObserver& o) { o.on_scan_answered(lane, answer); });
}

}  // namespace passgate::controller
