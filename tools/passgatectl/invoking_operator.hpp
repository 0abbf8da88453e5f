// The operator an action is recorded for in the audit log: the user who ran passgatectl.
// Under sudo that is the user who called sudo ("alice (via sudo)", from SUDO_USER), else
// the effective user's login name (or "uid 1001" if it has none).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace passgate::ctl {

[[nodiscard]] std::string invoking_operator();
// Whom an action's reply says the gate recorded: "alice (via sudo) as claimed; the connection
// was uid 1000, gid 1000" (the name is the client's word, the ids are what the gate saw).
[[nodiscard]] std::string recorded_as(const nlohmann::json& reply);

}  // namespace passgate::ctl
