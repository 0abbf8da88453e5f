// What a store-wide coordination call came to, for the lanes to decide on:
//   confirmed    the store agreed (the claim is this box's, the write is in);
//   refused      another holder has the key (`holder` says who, `holder_text` describes it);
//   unavailable  no answer within store.coordination_timeout (`reason` says why): the caller
//                applies its fallback policy ("local" or "deny") and, when it admits,
//                records the admission as unclaimed (db/store_claims_pending.hpp).
// A claim of a key that was released already for its session (the key's fence, store_keys.hpp)
// writes nothing and is confirmed with a reason (fenced()): that key's part of the session is
// over, there is nothing left to claim. Admission never sees it (a session is released only
// after its claim answered); for reconciliation the owed claim is done (a claim owed by a
// session that ended has become a release of that key).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "controller/coordination/store_keys.hpp"

namespace passgate::coordination {

enum class Verdict { confirmed, refused, unavailable };

struct Outcome {
  Verdict verdict = Verdict::unavailable;
  std::optional<Holder> holder;  // refused: the holder, when its value is one we can read
  std::string holder_text;       // refused: describe_holder of the value found
  std::string reason;            // unavailable (or fenced): why, for logs (no ids of shoppers)

  [[nodiscard]] static Outcome confirmed() { return Outcome{Verdict::confirmed, {}, {}, {}}; }
  [[nodiscard]] static Outcome fenced() {
    return Outcome{Verdict::confirmed, {}, {}, "the key was released for this session already: nothing written"};
  }
  [[nodiscard]] static Outcome unavailable(std::string why) { return Outcome{Verdict::unavailable, {}, {}, std::move(why)}; }
  [[nodiscard]] static Outcome refused(const std::string& value) {
    return Outcome{Verdict::refused, read_holder(value), describe_holder(value), {}};
  }
};

[[nodiscard]] const char* verdict_name(Verdict verdict);

}  // namespace passgate::coordination
