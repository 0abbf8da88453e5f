#include "controller/admission/offline_risk.hpp"

namespace passgate::controller {

std::optional<std::string> exceeded_offline_limit(const OfflineRiskLimits& limits, std::int64_t hold_minor,
                                                  const std::string& currency, const db::QueueTotals& totals,
                                                  std::int64_t now_ms) {
  std::optional<std::int64_t> oldest_age_ms;
  if (totals.oldest_created_at_ms) oldest_age_ms = now_ms - *totals.oldest_created_at_ms;
  return exceeded_offline_limit(limits, hold_minor, currency, totals, oldest_age_ms);
}

std::optional<std::string> exceeded_offline_limit(const OfflineRiskLimits& limits, std::int64_t hold_minor,
                                                  const std::string& currency, const db::QueueTotals& totals,
                                                  std::optional<std::int64_t> oldest_age_ms) {
  if (hold_minor > limits.max_session_minor)
    return "hold " + std::to_string(hold_minor) + " exceeds max_session_minor " + std::to_string(limits.max_session_minor);
  const auto owed = totals.outstanding_minor.find(currency);
  if (owed != totals.outstanding_minor.end() && owed->second.minor > limits.max_outstanding_minor)
    return "outstanding " + std::to_string(owed->second.minor) + " " + currency + " exceeds max_outstanding_minor " +
           std::to_string(limits.max_outstanding_minor);
  if (totals.outstanding_ops > limits.max_outstanding_operations)
    return std::to_string(totals.outstanding_ops) + " outstanding operations exceed max_outstanding_operations " +
           std::to_string(limits.max_outstanding_operations);
  if (oldest_age_ms) {
    const std::int64_t age_s = *oldest_age_ms / 1000;
    if (age_s > limits.max_age.count())
      return "oldest outstanding operation is " + std::to_string(age_s) + " s old, over max_age_s " +
             std::to_string(limits.max_age.count());
  }
  return std::nullopt;
}

}  // namespace passgate::controller
