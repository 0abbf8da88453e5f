#include "db/session_store.hpp"

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

}  // namespace passgate::db
