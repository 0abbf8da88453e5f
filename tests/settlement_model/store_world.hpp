// StoreWorld: the store's etcd as the model keeps it across the gate's runs (a kill -9 of the
// gate leaves etcd as it was): its keys, their leases, and whether it answers. Each gate run
// puts a FakeStoreKv (tests/coordination/fake_store_kv.hpp) on its own loop over it, and the
// day runner plays the store's other gate array on it: that array's claim of a token is a key
// it holds (other_array_claims).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/clock.hpp"
#include "tests/coordination/fake_store_kv.hpp"

namespace passgate::model {

inline constexpr const char* kModelStoreId = "store-model";

struct StoreWorld {
  std::map<std::string, test::FakeStoreKv::Entry> data;
  std::map<std::int64_t, WallTime> leases;  // id -> end
  int grants = 0;
  bool down = false;
  int other_claims = 0;  // the other array's claims so far (their leases' ids)

  void load_into(test::FakeStoreKv& kv) const;
  void save_from(const test::FakeStoreKv& kv);
  // The holder of the token `token_id`'s key, if one holds it at `now` (its lease not ended).
  [[nodiscard]] const std::string* token_holder(const std::string& token_id, WallTime now) const;
  // Whether the token's key holds this gate's claim for `session_id`.
  [[nodiscard]] bool claimed_by(const std::string& token_id, const std::string& session_id, WallTime now) const;
  // The store's other gate array claims the token `token_id` as its entry admits it: whether it
  // took the key (nobody held it at `now`), leased until `until` as that array's claim would be.
  bool other_array_claims(const std::string& token_id, WallTime now, WallTime until);
};

}  // namespace passgate::model
