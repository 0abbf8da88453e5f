#include "db/session_store.hpp"

#include <array>

namespace passgate::db {

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::opening: return "opening";
    case SessionState::open: return "open";
    case SessionState::open_offline: return "open_offline";
    case SessionState::denied: return "denied";
    case SessionState::cancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<SessionState> session_state_from_string(std::string_view name) {
  constexpr std::array kAll = {SessionState::opening, SessionState::open, SessionState::open_offline,
                               SessionState::denied, SessionState::cancelled};
  for (const SessionState s : kAll) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace passgate::db
