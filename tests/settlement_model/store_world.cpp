// StoreWorld (store_world.hpp): copied into and out of each gate run's FakeStoreKv.
#include "tests/settlement_model/store_world.hpp"

#include "controller/coordination/store_keys.hpp"
#include "tests/settlement_model/gateway_side.hpp"

namespace passgate::model {

namespace {

// Lease ids of the other array's claims, apart from those the fake grants (100 + n).
constexpr std::int64_t kOtherArrayLeases = 1'000'000;

}  // namespace

void StoreWorld::load_into(test::FakeStoreKv& kv) const {
  kv.data = data;
  kv.leases = leases;
  kv.grants = grants;
  kv.down = down;
}

void StoreWorld::save_from(const test::FakeStoreKv& kv) {
  data = kv.data;
  leases = kv.leases;
  grants = kv.grants;
  down = kv.down;
}

const std::string* StoreWorld::token_holder(const std::string& token_id, WallTime now) const {
  const auto it = data.find(coordination::StoreKeys(kModelStoreId).token(token_id));
  if (it == data.end()) return nullptr;
  const auto lease = leases.find(it->second.lease);
  const bool lapsed = it->second.lease != 0 && (lease == leases.end() || lease->second <= now);
  return lapsed ? nullptr : &it->second.value;
}

bool StoreWorld::claimed_by(const std::string& token_id, const std::string& session_id, WallTime now) const {
  const std::string* value = token_holder(token_id, now);
  const auto holder = value ? coordination::read_holder(*value) : std::nullopt;
  return holder && holder->gate == kModelGateId && holder->session == session_id;
}

bool StoreWorld::other_array_claims(const std::string& token_id, WallTime now, WallTime until) {
  if (token_holder(token_id, now) != nullptr) return false;
  const std::int64_t lease = kOtherArrayLeases + ++other_claims;
  leases[lease] = until;
  data[coordination::StoreKeys(kModelStoreId).token(token_id)] = {
      coordination::holder_value(coordination::Holder{"south", "south-" + token_id, std::string(32, 'b')}), lease};
  return true;
}

}  // namespace passgate::model
