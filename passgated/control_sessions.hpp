// The `sessions` control command {all, limit}: the open sessions (admitted, not ended), or
// with `all` every session, newest first, at most `limit` (default kDefaultLimit, 0: every
// one). Each with its id, lane, state, whether it ended, group size, whether it was admitted
// offline and its age (`matching`: how many there are in all); never a token, the shopper or a payment reference.
// The `sessions.cancel` control command {session_id, reason, passages_checked, operator}: the
// operator's word that nobody entered on an open session the gate could not cancel itself
// (db/session_cancel.hpp says what is checked and written, with the audit row); logged with the
// operator and the connecting uid. `ended(id)` runs after it: the outbox sender sends the
// cancel, the settlement planner voids or finishes the session's hold. The operators' socket only.
#pragma once

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "db/database.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

inline constexpr int kDefaultSessionsLimit = 50;

[[nodiscard]] Result<nlohmann::json> sessions_reply(db::Database& database, const nlohmann::json& request,
                                                    WallTime now);
// `in_use(id)`: what the running gate knows that the database does not, as a refusal: "in_use"
// (its admission not yet told to its lane, or a lane holding a grant for it: someone may still
// walk through on it), "entered" (a passage on it the database refused to store); ok if none.
[[nodiscard]] Result<nlohmann::json> session_cancel(
    db::Database& database, const nlohmann::json& request, const drivers::ControlPeer& peer, WallTime now,
    const std::function<Status(const std::string& session_id)>& in_use,
    const std::function<void(const std::string& session_id)>& ended);

}  // namespace passgate::daemon
