// LeaseBook: the leases the coordination attaches its keys to, one per expiry bucket and
// reused by every key whose end falls in it, rather than one per key (a grant is a Raft
// write of its own). A key that must live until T gets the lease of the bucket ending at
// the first multiple of the bucket width at or after T, so it lives at most one width more.
// Bookkeeping only: StoreCoordinator grants the leases. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "common/clock.hpp"

namespace passgate::coordination {

class LeaseBook {
 public:
  explicit LeaseBook(std::chrono::seconds width) : width_(width) {}

  // The end of the bucket a key that must live until `until` belongs to.
  [[nodiscard]] WallTime bucket_of(WallTime until) const;
  // The TTL to ask for a bucket's lease granted at `now`: until the bucket's end, rounded up,
  // at least `floor`.
  [[nodiscard]] static std::chrono::seconds ttl_for(WallTime bucket, WallTime now, std::chrono::seconds floor);
  // The bucket's lease, if granted; forgets every lease whose bucket has ended by `now`.
  [[nodiscard]] std::optional<std::int64_t> find(WallTime bucket, WallTime now);
  void add(WallTime bucket, std::int64_t lease);
  // The store said the lease is gone (revoked, or expired early after a clock jump).
  void forget(std::int64_t lease);
  [[nodiscard]] std::size_t size() const { return leases_.size(); }
  [[nodiscard]] std::chrono::seconds width() const { return width_; }

 private:
  std::chrono::seconds width_;
  std::map<WallTime, std::int64_t> leases_;  // by bucket end
};

}  // namespace passgate::coordination
