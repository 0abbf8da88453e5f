// Where the store-wide facts live in the store's key-value store, and what a claim's value
// says. Layout (docs/store-coordination.md), every key under /passgate/<store_id>/:
//   tokens/<token_id>      a claimed entry token: the holder, leased to the token's exp + skew
//   shoppers/<shopper_id>  a shopper's open session: the holder, leased as a backstop
//   occupancy/<gate_id>    the gate array's own passage totals since it was installed
//   released/<session_id>/token, released/<session_id>/shopper
//                          the fence of a session's key once released: the holder, leased beyond
//                          any claim of it; every claim of that key for that session requires it
//                          absent, so a claim that lands after the release writes nothing
// A holder is {"gate":"<gate_id>","session":"<session_id>","instance":"<instance id>"}: the
// gate array, the session that took the key and the database it is recorded in (its random
// instance id, db/store_claims_pending.hpp), written the same way by reconciliation. Holders
// written before the instance id was added have none. Pure, any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace passgate::coordination {

// The longest id accepted in a key (token id, shopper id, gate id).
inline constexpr std::size_t kMaxKeyIdBytes = 256;

class StoreKeys {
 public:
  explicit StoreKeys(const std::string& store_id) : root_("/passgate/" + store_id + "/") {}
  [[nodiscard]] std::string token(std::string_view token_id) const { return tokens() + std::string(token_id); }
  [[nodiscard]] std::string shopper(std::string_view shopper_id) const { return shoppers() + std::string(shopper_id); }
  [[nodiscard]] std::string occupancy(std::string_view gate_id) const { return occupancy() + std::string(gate_id); }
  // `kind`: "token" or "shopper".
  [[nodiscard]] std::string released(std::string_view session_id, std::string_view kind) const {
    return root_ + "released/" + std::string(session_id) + "/" + std::string(kind);
  }
  [[nodiscard]] std::string tokens() const { return root_ + "tokens/"; }
  [[nodiscard]] std::string shoppers() const { return root_ + "shoppers/"; }
  [[nodiscard]] std::string occupancy() const { return root_ + "occupancy/"; }

 private:
  std::string root_;
};

// Whether `id` may be put into a key: not empty, at most kMaxKeyIdBytes, no control bytes.
[[nodiscard]] bool valid_key_id(std::string_view id);

// Who holds a claimed key.
struct Holder {
  std::string gate;
  std::string session;
  std::string instance;  // empty in a holder written before instance ids
  // The same session of the same gate array (session ids are random; an older holder of the
  // session, without an instance id, is the same claim too).
  [[nodiscard]] bool same_claim(const Holder& other) const {
    return gate == other.gate && session == other.session &&
           (instance == other.instance || instance.empty() || other.instance.empty());
  }
};

// The value written for `holder` (with its instance id when it has one).
[[nodiscard]] std::string holder_value(const Holder& holder);
// Nothing when `value` is not a holder as holder_value writes it.
[[nodiscard]] std::optional<Holder> read_holder(std::string_view value);
// A short description of a value read from the store, for reports: the holder's gate and
// session, or an excerpt of what is there instead.
[[nodiscard]] std::string describe_holder(std::string_view value);

}  // namespace passgate::coordination
