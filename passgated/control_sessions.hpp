// The `sessions` control command {all, limit}: the open sessions (admitted, not ended), or
// with `all` every session, newest first, at most `limit` (default kDefaultLimit, 0: every
// one). Each with its id, lane, state, whether it ended, group size, whether it was admitted
// offline and its age (`matching`: how many there are in all); never a token, the shopper or a payment reference.
#pragma once

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::daemon {

inline constexpr int kDefaultSessionsLimit = 50;

[[nodiscard]] Result<nlohmann::json> sessions_reply(db::Database& database, const nlohmann::json& request,
                                                    WallTime now);

}  // namespace passgate::daemon
