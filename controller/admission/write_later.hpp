// WriteLater: where a write goes that ends a session with nobody let in on it (a denial, the
// cancel of an unused grant, the close of an entry a restart interrupted) once the database
// refused it: AdmissionService::write_later, which writes it again until it is taken and
// meanwhile holds the session's entry hold back. `what` names the write for the log.
#pragma once

#include <functional>
#include <string>

#include "common/result.hpp"

namespace passgate::controller {

using WriteLater = std::function<void(const std::string& session_id, std::string what, std::function<Status()> write)>;

}  // namespace passgate::controller
