#include "controller/coordination/lease_book.hpp"

#include <algorithm>

namespace passgate::coordination {

WallTime LeaseBook::bucket_of(WallTime until) const {
  const auto since_epoch = std::chrono::ceil<std::chrono::seconds>(until.time_since_epoch());
  const auto buckets = (since_epoch.count() + width_.count() - 1) / width_.count();
  return WallTime(std::chrono::seconds(buckets * width_.count()));
}

std::chrono::seconds LeaseBook::ttl_for(WallTime bucket, WallTime now, std::chrono::seconds floor) {
  return std::max(std::chrono::ceil<std::chrono::seconds>(bucket - now), floor);
}

std::optional<std::int64_t> LeaseBook::find(WallTime bucket, WallTime now) {
  leases_.erase(leases_.begin(), leases_.upper_bound(now));
  const auto it = leases_.find(bucket);
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

void LeaseBook::add(WallTime bucket, std::int64_t lease) { leases_[bucket] = lease; }

void LeaseBook::forget(std::int64_t lease) {
  std::erase_if(leases_, [lease](const auto& entry) { return entry.second == lease; });
}

}  // namespace passgate::coordination
