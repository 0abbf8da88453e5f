// The tracking-engine outbox's control commands (db/outbox.hpp):
//   outbox {limit}                  what waits (count, the oldest's age, attempts and last
//                                   error) and the dead letters, oldest first, at most
//                                   `limit` (default kDefaultQueueLimit, 0: every one). Never
//                                   a message's body (it names the shopper and the token).
//   outbox.retry {id, operator}     a dead letter is sent again, at once
//   outbox.drop {id, reason, operator}
//                                   a dead letter is deleted, never sent; its session's later
//                                   messages go on
// The two actions are audited with the operator (control_request.hpp) and logged with the
// connecting uid; `outbox_changed` then wakes the outbox sender.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

// One outbox message as the control commands show it (no body).
[[nodiscard]] nlohmann::json outbox_message_json(const db::OutboxItem& item, std::int64_t now_ms);

[[nodiscard]] Result<nlohmann::json> outbox_reply(db::Database& database, const nlohmann::json& request, WallTime now);
[[nodiscard]] Result<nlohmann::json> outbox_retry(db::Database& database, const nlohmann::json& request,
                                                  const drivers::ControlPeer& peer, WallTime now,
                                                  const std::function<void()>& outbox_changed);
[[nodiscard]] Result<nlohmann::json> outbox_drop(db::Database& database, const nlohmann::json& request,
                                                 const drivers::ControlPeer& peer, WallTime now,
                                                 const std::function<void()>& outbox_changed);

}  // namespace passgate::daemon
