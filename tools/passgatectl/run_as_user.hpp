// run_as_user: runs a check with the credentials of another user, to prove what that user
// (the service's) can read. The check runs in a forked child that drops, irreversibly, to the
// user's uid, primary gid and supplementary groups (from the password and group databases,
// as a login or systemd's User= would give them) with setgroups, setresgid and setresuid; the
// kernel then decides every open() exactly as it will for the service. The parent waits and
// returns the child's exit code. Dropping needs root; for the current user the check runs in
// this process.
#pragma once

#include <functional>
#include <string>

#include "common/result.hpp"

namespace passgate::ctl {

// The check's exit code. Errors: "unknown_user" (no such user), "not_permitted" (not root,
// and `user` is someone else), "os_error" (fork, dropping privileges or waiting failed).
[[nodiscard]] Result<int> run_as_user(const std::string& user, const std::function<int()>& check);

// The name of the user this process runs as (its uid in digits if it has none).
[[nodiscard]] std::string current_user();

// True if the password database knows `user`.
[[nodiscard]] bool user_exists(const std::string& user);

}  // namespace passgate::ctl
