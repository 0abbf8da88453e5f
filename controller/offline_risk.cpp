#include "controller/offline_risk.hpp"

namespace passgate::controller {

std::optional<std::string> exceeded_offline_limit(const OfflineRiskLimits& limits, std::int64_t hold_minor,
                                                  const std::string& currency, const db::QueueTotals& totals,
                                                  std::int64_t now_ms) {
  if (hold_minor > limits.max_session_minor)
    return "hold " + std::to_string(hold_minor) + " exceeds max_session_minor " + std::to_string(limits.max_session_minor);
  const auto owed = totals.outstanding_minor.find(currency);
  if (owed != totals.outstanding_minor.end() && owed->second.minor > limits.max_outstanding_minor)
    return "outstanding " + std::to_string(owed->second.minor) + " " + currency + " exceeds max_outstanding_minor " +
           std::to_string(limits.max_outstanding_minor);
  if (totals.outstanding_ops > limits.max_outstanding_operations)
    return std::to_string(totals.outstanding_ops) + " outstanding operations exceed max_outstanding_operations " +
           std::to_string(limits.max_outstanding_operations);
  if (totals.oldest_created_at_ms) {
    const std::int64_t age_s = (now_ms - *totals.oldest_created_at_ms) / 1000;
    if (age_s > limits.max_age.count())
      return "oldest outstanding operation is " + std::to_string(age_s) + " s old, over max_age_s " +
             std::to_string(limits.max_age.count());
  }
  return std::nullopt;
}

}  // namespace passgate::controller
