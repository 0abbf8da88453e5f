// FakeStoreKv: an in-memory StoreKv for the coordination's unit tests, answering on a
// VirtualTime loop (never inside the call). Leases end on the virtual wall clock. Knobs:
// `down` (every call unavailable), `lose_claim_answers` (claims are carried out but answer
// unavailable, as when the answer was lost), `revoke_next_lease_use` (one lease_not_found),
// `silent_grants` (lease grants never answer), `fail_removes` (removals
// unavailable), `lose_reads` (reads unavailable: a lost claim answer cannot be read back).
#pragma once

#include <map>
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
  bool down = false;
  bool lose_claim_answers = false;
  bool revoke_next_lease_use = false;
  bool silent_grants = false;
  bool fail_removes = false;
  bool lose_reads = false;

  void grant_lease(std::chrono::seconds ttl, Millis, std::function<void(Result<StoreLease>)> done) override {
    ++grants;
    if (silent_grants) return;
    if (down) return unavailable(std::move(done));
    const std::int64_t id = 100 + grants;
    leases[id] = time_.wall_now() + ttl;
    answer(std::move(done), Result<StoreLease>(StoreLease{id, ttl}));
  }
  void claim(const std::string& key, const std::string& value, std::int64_t lease, Millis,
             std::function<void(Result<ClaimAnswer>)> done) override {
    ++claims;
    if (down) return unavailable(std::move(done));
    expire();
    if (revoke_next_lease_use || !leases.contains(lease)) {
      revoke_next_lease_use = false;
      return answer(std::move(done), Result<ClaimAnswer>(make_error("lease_not_found", "requested lease not found")));
    }
    const auto it = data.find(key);
    ClaimAnswer result{it == data.end(), it == data.end() ? std::string{} : it->second.value};
    if (result.claimed) data[key] = {value, lease};
    if (lose_claim_answers) return unavailable(std::move(done));
    answer(std::move(done), Result<ClaimAnswer>(result));
  }
  void claim_two(const KeyClaim& first, const KeyClaim& second, Millis,
                 std::function<void(Result<ClaimTwoAnswer>)> done) override {
    ++claim_twos;
    if (down) return unavailable(std::move(done));
    expire();
    if (revoke_next_lease_use || !leases.contains(first.lease) || !leases.contains(second.lease)) {
      revoke_next_lease_use = false;
      return answer(std::move(done), Result<ClaimTwoAnswer>(make_error("lease_not_found", "requested lease not found")));
    }
    ClaimTwoAnswer result;
    std::size_t i = 0;
    for (const KeyClaim* c : {&first, &second}) {
      if (const auto it = data.find(c->key); it != data.end()) result.holders[i] = it->second.value;
      ++i;
    }
    result.claimed = !result.holders[0] && !result.holders[1];
    if (result.claimed) {
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
  void expire() {
    const auto now = time_.wall_now();
    std::erase_if(leases, [now](const auto& l) { return l.second <= now; });
    std::erase_if(data, [this](const auto& e) { return e.second.lease != 0 && !leases.contains(e.second.lease); });
  }

  VirtualTime& time_;
};

}  // namespace passgate::test
