// The operator an action is recorded for in the audit log: the user who ran passgatectl.
// Under sudo that is the user who called sudo ("alice (via sudo)", from SUDO_USER), else
// the effective user's login name (or "uid 1001" if it has none).
#pragma once

#include <string>

namespace passgate::ctl {

[[nodiscard]] std::string invoking_operator();

}  // namespace passgate::ctl
