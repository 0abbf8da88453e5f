#include "controller/config/summary.hpp"

#include "common/currency.hpp"

namespace passgate::controller {
namespace {

std::string describe_lanes(const std::vector<LaneConfig>& lanes) {
  std::string out = std::to_string(lanes.size()) + (lanes.size() == 1 ? " lane (" : " lanes (");
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    out += (i > 0 ? ", lane " : "lane ") + std::to_string(lanes[i].number) +
           (lanes[i].kind == LaneKind::entry ? " entry" : " exit");
  }
  return out + ")";
}

std::string describe_io(const IoConfig& io) {
  if (io.backend == IoBackendKind::sim) return "I/O backend sim (rig socket " + io.sim_socket.string() + ")";
  return "I/O backend gpiod (" + std::to_string(io.gpiod_lines.size()) + " lines)";
}

std::string describe_offline(const OfflineConfig& offline) {
  if (offline.policy == OfflinePolicy::deny) return "offline policy deny";
  return "offline policy admit (at most " + std::to_string(offline.max_admissions_per_hour) + " admissions per hour)";
}

std::string describe_payments(const PaymentsConfig& payments) {
  const std::string hold = payments.hold_amount_minor == 0
                               ? "no pre-authorization hold"
                               : "pre-authorization hold " + format_amount(payments.hold_amount_minor, payments.currency);
  return "payment gateway " + payments.gateway_url + " (" + payments.currency + ", " + hold + ")";
}

}  // namespace

std::string summarize_config(const GateConfig& config) {
  return "Store " + config.store_id + ", gate " + config.gate_id + ": " + describe_lanes(config.lanes) + ", " +
         describe_io(config.io) + ", tracking engine " + config.tracking.base_url + ", " +
         describe_offline(config.offline) + ", " + describe_payments(config.payments) +
         (config.store.enabled ? ", store-wide coordination over " + std::to_string(config.store.endpoints.size()) +
                                     " etcd member(s) (fallback " +
                                     (config.store.fallback == StoreFallback::local ? "local" : "deny") + ")"
                               : "") +
         ".";
}

}  // namespace passgate::controller
