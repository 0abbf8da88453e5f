// WriteLater: where a write goes that ends a session with nobody let in on it (a denial, the
// cancel of an unused grant, the close of an entry a restart interrupted) once the database
// refused it: AdmissionService::write_later, which writes it again until it is taken and
// meanwhile holds the session's entry hold back. `what` names the write for the log.
// SessionEndWrites: how many wait (metrics and status).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "common/result.hpp"

namespace passgate::controller {

// How many such writes wait for the database (AdmissionService::writes_waiting): `retrying`,
// written again on their timer; `dropped`, ids dropped from that list at its cap, no longer
// written again. A restart loses both (event=denial_record_lost).
struct SessionEndWrites {
  std::size_t retrying = 0;
  std::size_t dropped = 0;
  [[nodiscard]] std::size_t total() const { return retrying + dropped; }
};

using WriteLater = std::function<void(const std::string& session_id, std::string what, std::function<Status()> write)>;

}  // namespace passgate::controller
