// FakeStoreKv: an in-memory StoreKv for the coordination's unit tests, answering on a
// VirtualTime loop (never inside the call). Leases end on the virtual wall clock. Knobs:
// `down` (every call unavailable), `lose_claim_answers` (claims are carried out but answer
// unavailable, as when the answer was lost), `revoke_next_lease_use` (one lease_not_found, on
// the branch that writes: as etcd, a lease is checked only when the compares pass),
// `silent_grants` (lease grants never answer), `grant_delay` (grants answer late), `fail_removes` (removals
// unavailable), `lose_reads` (reads unavailable: a lost claim answer cannot be read back).
#pragma once

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <vector>
#include <string>

#include "common/virtual_time.hpp"
#include "ports/store_kv.hpp"

namespace passgate::test {

class FakeStoreKv final : public StoreKv {
 public:
  explicit FakeStoreKv(VirtualTime& time) : time_(time) {}

  struct Entry {
    std::string value;
    std::int64_t lease = 0;
  };
  std::map<std::string, Entry> data;
  std::map<std::int64_t, WallTime> leases;  // id -> end
  int grants = 0;
  int claims = 0;
  int claim_twos = 0;
  int gets = 0;
  int releases = 0;
  bool down = false;
  bool lose_claim_answers = false;
  bool revoke_next_lease_use = false;
  bool silent_grants = false;
  std::chrono::milliseconds grant_delay{0};  // lease grants answer this long after the call
  bool fail_removes = false;
  bool lose_reads = false;

  void grant_lease(std::chrono::seconds ttl, Millis, std::function<void(Result<StoreLease>)> done) override {
    ++grants;
    if (silent_grants) return;
    if (down) return unavailable(std::move(done));
    const std::int64_t id = 100 + grants;
    leases[id] = time_.wall_now() + ttl;
    if (grant_delay.count() > 0) {
      delayed_.push_back(time_.start(grant_delay, [done = std::move(done), id, ttl] { done(StoreLease{id, ttl}); }));
      return;
    }
    answer(std::move(done), Result<StoreLease>(StoreLease{id, ttl}));
  }
  void claim(const std::string& key, const std::string& value, std::int64_t lease, const std::string& fence, Millis,
             std::function<void(Result<ClaimAnswer>)> done) override {
    ++claims;
    if (down) return unavailable(std::move(done));
    expire();
    ClaimAnswer result;
    result.fenced = data.contains(fence);
    if (const auto it = data.find(key); it != data.end()) result.holder = it->second.value;
    // As etcd: the compares first; a put's lease is checked only on the branch they choose.
    if (!result.fenced && !data.contains(key)) {
      if (lease_gone({lease})) {
        return answer(std::move(done), Result<ClaimAnswer>(make_error("lease_not_found", "requested lease not found")));
      }
      result.claimed = true;
      data[key] = {value, lease};
    }
    if (lose_claim_answers) return unavailable(std::move(done));
    answer(std::move(done), Result<ClaimAnswer>(result));
  }
  void claim_two(const KeyClaim& first, const KeyClaim& second, const std::array<std::string, 2>& fences, Millis,
                 std::function<void(Result<ClaimTwoAnswer>)> done) override {
    ++claim_twos;
    if (down) return unavailable(std::move(done));
    expire();
    ClaimTwoAnswer result;
    std::size_t i = 0;
    for (const KeyClaim* c : {&first, &second}) {
      if (const auto it = data.find(c->key); it != data.end()) result.holders[i] = it->second.value;
      result.fenced[i] = data.contains(fences[i]);
      ++i;
    }
    if (!result.fenced[0] && !result.fenced[1] && !result.holders[0] && !result.holders[1]) {
      if (lease_gone({first.lease, second.lease})) {
        return answer(std::move(done),
                      Result<ClaimTwoAnswer>(make_error("lease_not_found", "requested lease not found")));
      }
      result.claimed = true;
      data[first.key] = {first.value, first.lease};
      data[second.key] = {second.value, second.lease};
    }
    if (lose_claim_answers) return unavailable(std::move(done));
    answer(std::move(done), Result<ClaimTwoAnswer>(result));
  }
  void get(const std::string& key, Millis, std::function<void(Result<std::optional<std::string>>)> done) override {
    ++gets;
    if (down || lose_reads) return unavailable(std::move(done));
    expire();
    const auto it = data.find(key);
    answer(std::move(done), Result<std::optional<std::string>>(
                                it == data.end() ? std::nullopt : std::optional<std::string>(it->second.value)));
  }
  void put(const std::string& key, const std::string& value, std::int64_t lease, Millis,
           std::function<void(Status)> done) override {
    if (down) return unavailable(std::move(done));
    data[key] = {value, lease};
    answer(std::move(done), Status{});
  }
  void remove(const std::string& key, Millis, std::function<void(Result<bool>)> done) override {
    if (down) return unavailable(std::move(done));
    answer(std::move(done), Result<bool>(data.erase(key) == 1));
  }
  void remove_if(const std::string& key, const std::string& value, Millis,
                 std::function<void(Result<bool>)> done) override {
    if (down || fail_removes) return unavailable(std::move(done));
    const auto it = data.find(key);
    const bool ours = it != data.end() && it->second.value == value;
    if (ours) data.erase(it);
    answer(std::move(done), Result<bool>(ours));
  }
  void release(const std::string& key, const std::string& value, const KeyClaim& fence, Millis,
               std::function<void(Result<bool>)> done) override {
    ++releases;
    if (down || fail_removes) return unavailable(std::move(done));
    expire();
    if (lease_gone({fence.lease})) {
      return answer(std::move(done), Result<bool>(make_error("lease_not_found", "requested lease not found")));
    }
    const auto it = data.find(key);
    const bool ours = it != data.end() && it->second.value == value;
    if (ours) data.erase(it);
    data[fence.key] = {fence.value, fence.lease};
    answer(std::move(done), Result<bool>(ours));
  }
  void range(const std::string& prefix, std::size_t limit, Millis,
             std::function<void(Result<std::vector<StoreKeyValue>>)> done) override {
    if (down) return unavailable(std::move(done));
    std::vector<StoreKeyValue> out;
    for (const auto& [key, entry] : data) {
      if (key.starts_with(prefix)) out.push_back({key, entry.value});
    }
    if (out.size() > limit) return answer(std::move(done), Result<std::vector<StoreKeyValue>>(make_error("too_many", "")));
    answer(std::move(done), Result<std::vector<StoreKeyValue>>(std::move(out)));
  }
  void count(const std::string& prefix, Millis, std::function<void(Result<std::int64_t>)> done) override {
    if (down) return unavailable(std::move(done));
    expire();
    std::int64_t n = 0;
    for (const auto& [key, entry] : data) n += key.starts_with(prefix) ? 1 : 0;
    answer(std::move(done), Result<std::int64_t>(n));
  }

 private:
  template <class Done, class Value>
  void answer(Done done, Value value) {
    time_.post([done = std::move(done), value = std::move(value)]() mutable { done(std::move(value)); });
  }
  template <class Done>
  void unavailable(Done done) {
    time_.post([done = std::move(done)] { done(make_error("unavailable", "etcd: no member answered in time")); });
  }
  // Whether any of the leases is gone (or `revoke_next_lease_use` says so, once).
  bool lease_gone(std::initializer_list<std::int64_t> used) {
    const bool gone = revoke_next_lease_use || std::any_of(used.begin(), used.end(), [this](std::int64_t l) {
                        return l != 0 && !leases.contains(l);
                      });
    revoke_next_lease_use = false;
    return gone;
  }
  void expire() {
    const auto now = time_.wall_now();
    std::erase_if(leases, [now](const auto& l) { return l.second <= now; });
    std::erase_if(data, [this](const auto& e) { return e.second.lease != 0 && !leases.contains(e.second.lease); });
  }

  VirtualTime& time_;
  std::vector<std::unique_ptr<Timer>> delayed_;  // answers held back (grant_delay)
};

}  // namespace passgate::test
