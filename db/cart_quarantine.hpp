// CartQuarantine: final carts the gate will not charge as they came (an unreadable cart, a
// currency that is not the gate's, a total above payments.max_cart_minor, a cart of a session
// the gate did not admit or the tracking engine refused, a cart of a session whose token was
// used twice across the store's gate arrays), each kept in the
// quarantined_carts table with its reason and the cart as received (cut to kRawCartBytes),
// open until an operator settles it: charged after correction (a corrected cart is recorded
// in `carts`, so the settlement planner settles the session the usual way, once) or written
// off (the session is settled without a cart: its hold, if any, is voided). A session has at
// most one quarantined cart, and a cart without a readable session is kept once per raw text,
// so the same cart delivered again is neither quarantined twice nor charged. Both operator
// actions are recorded in the audit log in the same transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "db/audit_log.hpp"
#include "db/database.hpp"

namespace passgate::db {

// The most of a quarantined cart's JSON that is kept (it comes from a peer).
inline constexpr std::size_t kRawCartBytes = 2048;
// Why a double_use cart is held (the start of its detail).
inline constexpr std::string_view kDoubleUseDetail =
    "this session's entry token was admitted at another gate array of the store too (a double use, log "
    "event=store_double_use): an operator decides whom to charge";

// double_use: the session's token was found admitted at another gate array of the store too
// (docs/store-coordination.md): an operator decides whom to charge.
enum class QuarantineReason { unreadable, currency, over_limit, not_admitted, double_use };
[[nodiscard]] std::string_view to_string(QuarantineReason r);

enum class QuarantineState { open, charged, written_off };
[[nodiscard]] std::string_view to_string(QuarantineState s);

// A cart as the feed parser quarantines it.
struct QuarantinedCart {
  std::string session_id;  // empty: the cart names no session the gate can read
  QuarantineReason reason = QuarantineReason::unreadable;
  std::string detail;      // what is wrong, e.g. "total_minor: expected a non-negative integer (minor units)"
  std::string raw;         // the cart's JSON as received (stored cut by bounded_raw)
  std::string finalized_at;  // empty when unreadable
};

struct QuarantineRecord {
  std::int64_t id = 0;
  QuarantinedCart cart;
  QuarantineState state = QuarantineState::open;
  std::int64_t received_at_ms = 0;
  std::int64_t settled_at_ms = 0;  // 0: open
  std::string settled_by;
};

// `text` cut to kRawCartBytes on a UTF-8 character boundary, with a note of the full size.
[[nodiscard]] std::string bounded_raw(std::string_view text);

class CartQuarantine {
 public:
  explicit CartQuarantine(Database& db) : db_(db) {}

  // For the settlement store, within its open transaction: records `cart`, its raw text cut
  // by bounded_raw, unless the same one (its session, or its cut raw text when it names none)
  // is already quarantined. Returns
  // whether it was new. Throws SQLite::Exception, so call it only inside guarded().
  static bool insert(Database& db, const QuarantinedCart& cart, std::int64_t now_ms);
  // Whether the session has a quarantined cart, open or settled (throws, like insert).
  static bool holds_session(Database& db, const std::string& session_id);
  // Within the caller's transaction: the session's open quarantined cart of another reason is
  // relabelled double_use, its old reason and detail kept after the double use's detail, so the
  // operator sees why it must not be charged behind the token owner's back.
  static void relabel_double_use(Database& db, const std::string& session_id);
  // The detail of a double_use cart that was quarantined for `reason` first.
  [[nodiscard]] static std::string double_use_detail(QuarantineReason reason, const std::string& detail);

  [[nodiscard]] Result<std::optional<QuarantineRecord>> find(std::int64_t id);
  // The open ones, oldest first, at most `limit` (0: every one).
  [[nodiscard]] Result<std::vector<QuarantineRecord>> open(int limit);

  // Operator: open -> charged, recording the corrected cart (`currency`, `total_minor`) for
  // its session in `carts`, audited with `reason`. The cart of a double use (its session's
  // token admitted at another gate array too) is charged only with `double_use` confirmed
  // (passgatectl queue charge-cart --double-use: loss prevention found the token's owner
  // shopped here); its row is then relabelled double_use if it said another reason, and the
  // audit row says the double use was confirmed. Errors, nothing written: "not_found",
  // "wrong_state" (not open, or no session to charge, or a cart already recorded),
  // "double_use" (a double use's cart, not confirmed), "invalid_argument" (confirmed, but the
  // session is no double use), a database error.
  enum class DoubleUse { not_confirmed, confirmed };
  [[nodiscard]] Status charge(std::int64_t id, const std::string& currency, std::int64_t total_minor,
                              const std::string& reason, const AuditActor& actor, std::int64_t now_ms,
                              DoubleUse double_use = DoubleUse::not_confirmed);
  // Operator: open -> written_off, audited with `reason`. Errors as charge.
  [[nodiscard]] Status write_off(std::int64_t id, const std::string& reason, const AuditActor& actor,
                                 std::int64_t now_ms);

 private:
  Database& db_;
};

}  // namespace passgate::db
