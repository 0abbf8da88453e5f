// What every control command handler (passgated/control_*.cpp) shares: the refusal
// reply, who asked (for logs and the audit_log table), request arguments and ages.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "db/payment_queue.hpp"
#include "drivers/control_request_parser.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

// {"ok":false,"error":{"code":...,"message":...}}
[[nodiscard]] nlohmann::json refused(std::string code, std::string message);

// The operator a request names ("operator": passgatectl sends its invoking user, e.g.
// "alice (via sudo)"), cut to 100 printable characters; "uid N" (the connecting user) when
// it names none. What the audit log records as the actor.
[[nodiscard]] std::string operator_of(const nlohmann::json& request, const drivers::ControlPeer& peer);
// What the audit log records: operator_of as claimed, and the peer's uid and gid.
[[nodiscard]] db::AuditActor audit_actor_of(const nlohmann::json& request, const drivers::ControlPeer& peer);

// Every integer field of a request is read with integer_argument (drivers/control_request_parser.hpp).
using drivers::integer_argument;
using drivers::IntegerRange;
using drivers::kCountRange;
using drivers::kIdRange;
using drivers::kLaneRange;

// What an operator action's reply says about who asked: "actor" (operator_of), "uid" and "gid"
// (null when unknown), set on `reply`.
void put_actor(nlohmann::json& reply, const db::AuditActor& actor);

// A limit or count: integer_argument in kCountRange, as an int.
[[nodiscard]] Result<int> count_argument(const nlohmann::json& request, const char* key, int fallback);

// Whole seconds from `since_ms` to `now_ms`, 0 if `since_ms` is later (clock skew).
[[nodiscard]] std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms);

}  // namespace passgate::daemon
