// passgatectl's exit codes, the same for every command (docs/operations.md, and the footer
// of --help): 0 done; 1 the gate refused the request or the command failed (check-config:
// the file has problems); 2 a usage error (bad arguments); 3 the gate cannot be reached (no
// socket, connection refused, permission denied, no answer in time, the gate went away).
#pragma once

#include "common/result.hpp"

namespace passgate::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// kExitUnreachable for the errors of finding, connecting to or hearing from the gate
// (gate_connection.hpp, control_client.hpp), kExitFailed for everything else.
[[nodiscard]] int exit_code_for(const Error& error);

// The --help footer that says all of the above.
inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 done; 1 the gate refused the request or the command failed (check-config: the file has "
    "problems); 2 usage error (bad arguments); 3 cannot reach the gate (no socket, connection refused, permission "
    "denied, no answer within --timeout).";

}  // namespace passgate::ctl
