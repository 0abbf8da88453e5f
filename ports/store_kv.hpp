// StoreKv: the port through which the store-wide coordination
// (controller/coordination/store_coordinator.hpp) reads
// and writes the facts every gate array of a store must agree on. drivers/etcd_client.hpp
// implements it on an etcd cluster; tests may put a fake behind it. Asynchronous: each call's
// callback runs once, on the caller's event loop, never inside the call, within about
// `timeout` of the call. Keys and values are opaque bytes.
//
// Error codes every call may give:
//   "unavailable"  no answer within `timeout` (no member reachable, no quorum, time-out, 5xx).
//                  A write may or may not have been carried out.
//   "bad_answer"   an answer that is not what was asked for (shape, key, cluster, bounds).
//                  A write may or may not have been carried out.
//   "refused"      the store answered and refused the request (nothing was written).
//   "lease_not_found"  (writes with a lease) the lease has expired or was revoked.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace passgate {

struct StoreLease {
  std::int64_t id = 0;
  std::chrono::seconds ttl{0};  // as granted (at least what was asked for)
};

// The answer to a create-if-absent claim.
struct ClaimAnswer {
  bool claimed = false;
  bool fenced = false;  // not claimed because the fence is there (then `holder` is not read)
  std::string holder;   // when not claimed nor fenced: the value the key holds
};

// One key of a claim of two keys (StoreKv::claim_two).
struct KeyClaim {
  std::string key;
  std::string value;
  std::int64_t lease = 0;
};

// The answer to a create-if-absent claim of two keys.
struct ClaimTwoAnswer {
  bool claimed = false;  // both keys written
  // When not claimed: whether each key's fence is there, and each key's value (in the order
  // asked), nothing where the key is absent (at least one of the four is there).
  std::array<bool, 2> fenced{};
  std::array<std::optional<std::string>, 2> holders;
};

struct StoreKeyValue {
  std::string key;
  std::string value;
};

class StoreKv {
 public:
  using Millis = std::chrono::milliseconds;
  virtual ~StoreKv() = default;

  // A lease that ends `ttl` from now unless renewed (never renewed here).
  virtual void grant_lease(std::chrono::seconds ttl, Millis timeout, std::function<void(Result<StoreLease>)> done) = 0;
  // Writes `value` at `key` attached to `lease`, in one transaction, only if nobody holds the
  // key and the key `fence` was never created; otherwise reads which (fenced, or the holder's
  // value). `fence` differs from `key`.
  virtual void claim(const std::string& key, const std::string& value, std::int64_t lease, const std::string& fence,
                     Millis timeout, std::function<void(Result<ClaimAnswer>)> done) = 0;
  // Writes both keys, each with its value and lease, in one transaction, only if nobody holds
  // either and neither key's fence (`fences`, in the same order) was ever created; otherwise
  // writes neither and reads all four. The four keys differ.
  virtual void claim_two(const KeyClaim& first, const KeyClaim& second, const std::array<std::string, 2>& fences,
                         Millis timeout, std::function<void(Result<ClaimTwoAnswer>)> done) = 0;
  // The value at `key`, or nothing when it is absent.
  virtual void get(const std::string& key, Millis timeout,
                   std::function<void(Result<std::optional<std::string>>)> done) = 0;
  // Writes `value` at `key` (lease 0: none).
  virtual void put(const std::string& key, const std::string& value, std::int64_t lease, Millis timeout,
                   std::function<void(Status)> done) = 0;
  // Removes `key`; whether it was there.
  virtual void remove(const std::string& key, Millis timeout, std::function<void(Result<bool>)> done) = 0;
  // Removes `key` only if it holds `value`, in one transaction; whether it did.
  virtual void remove_if(const std::string& key, const std::string& value, Millis timeout,
                         std::function<void(Result<bool>)> done) = 0;
  // Removes `key` only if it holds `value`, and writes `fence` (its value, with its lease)
  // whether or not it did, in one transaction; whether it removed the key. `fence.key` differs
  // from `key`.
  virtual void release(const std::string& key, const std::string& value, const KeyClaim& fence, Millis timeout,
                       std::function<void(Result<bool>)> done) = 0;
  // Every key under `prefix` with its value, at most `limit` of them (more:
  // error "too_many").
  virtual void range(const std::string& prefix, std::size_t limit, Millis timeout,
                     std::function<void(Result<std::vector<StoreKeyValue>>)> done) = 0;
  // How many keys are under `prefix` (counted by the store, nothing read).
  virtual void count(const std::string& prefix, Millis timeout, std::function<void(Result<std::int64_t>)> done) = 0;
};

}  // namespace passgate
