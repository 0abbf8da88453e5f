// What every control command handler (controller/main/control_*.cpp) shares: the refusal
// reply, who asked (for logs and the audit_log table), request arguments and ages.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

// {"ok":false,"error":{"code":...,"message":...}}
[[nodiscard]] nlohmann::json refused(std::string code, std::string message);

// The operator a request names ("operator": passgatectl sends its invoking user, e.g.
// "alice (via sudo)"), cut to 100 printable characters; "uid N" (the connecting user) when
// it names none. What the audit log records as the actor.
[[nodiscard]] std::string operator_of(const nlohmann::json& request, const drivers::ControlPeer& peer);

// A request's optional non-negative integer `key` (default when absent). Throws
// nlohmann::json::exception when it has another type; error "invalid_argument" if negative.
[[nodiscard]] Result<int> count_argument(const nlohmann::json& request, const char* key, int fallback);

// Whole seconds from `since_ms` to `now_ms`, 0 if `since_ms` is later (clock skew).
[[nodiscard]] std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms);

}  // namespace passgate::daemon
