#include "passgated/control_sessions.hpp"

#include "common/time_format.hpp"
#include "passgated/control_request.hpp"
#include "db/session_view.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

Result<json> sessions_reply(db::Database& database, const json& request, WallTime now) {
  const bool all = request.value("all", false);
  auto limit = count_argument(request, "limit", kDefaultSessionsLimit);
  if (!limit.ok()) return limit.error();
  auto view = db::read_session_view(database, all, *limit);
  if (!view.ok()) return view.error();
  const std::int64_t now_ms = unix_millis(now);
  json sessions = json::array();
  for (const auto& s : view->rows) {
    sessions.push_back(json{{"session_id", s.session_id},
                            {"lane", s.lane},
                            {"state", db::to_string(s.state)},
                            {"ended", s.ended},
                            {"group_size", s.group_size},
                            {"offline", s.offline},
                            {"refused", s.refused},
                            {"admitted_at", s.admitted_at},
                            {"age_s", age_seconds(s.created_at_ms, now_ms)}});
  }
  return drivers::control_ok(json{{"all", all}, {"sessions", sessions}, {"matching", view->matching}});
}

}  // namespace passgate::daemon
