#include "passgated/control_sessions.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/tracking/messages.hpp"
#include "passgated/control_request.hpp"
#include "db/session_cancel.hpp"
#include "db/session_view.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

// The request's "session_id": a string of 1 to 100 printable characters (ids are UUIDs).
Result<std::string> session_id_argument(const json& request) {
  constexpr std::size_t kMaxLength = 100;
  const auto it = request.find("session_id");
  if (it == request.end() || !it->is_string()) {
    return make_error("invalid_argument", "\"session_id\" must be a string: the session's id, as passgatectl "
                                          "sessions lists it");
  }
  std::string id = it->get<std::string>();
  const bool printable = std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (id.empty() || id.size() > kMaxLength || !printable) {
    return make_error("invalid_argument", "\"session_id\" must be 1 to 100 printable characters without spaces, "
                                          "as passgatectl sessions lists it");
  }
  return id;
}

}  // namespace

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

Result<json> session_cancel(db::Database& database, const json& request, const drivers::ControlPeer& peer,
                            WallTime now,
                            const std::function<Status(const std::string& session_id)>& in_use,
                            const std::function<void(const std::string& session_id)>& ended) {
  auto id = session_id_argument(request);
  if (!id.ok()) return id.error();
  const auto checked = request.find("passages_checked");
  if (checked != request.end() && !checked->is_boolean()) {
    return make_error("invalid_argument", "\"passages_checked\" must be true or false");
  }
  if (in_use) {
    if (Status free = in_use(*id); !free) return free.error();
  }
  const std::string reason = request.value("reason", std::string());  // not blank: cancel_unused_session
  const db::AuditActor actor = audit_actor_of(request, peer);
  const std::int64_t now_ms = unix_millis(now);
  db::SessionCancel cancel{*id, reason, checked != request.end() && checked->get<bool>(), actor,
                           controller::cancel_message(*id), now_ms};
  auto was = db::cancel_unused_session(database, cancel);
  if (!was.ok()) return was.error();
  const std::string passages = was->passages ? std::to_string(*was->passages) : "unknown";
  spdlog::warn("event=session_cancelled session={} reason=operator was={} passages={} hold={} operator={} uid={} "
               "detail={}",
               log_value(*id), db::to_string(was->state), passages, was->hold_requested ? "void_or_finish" : "none",
               log_value(actor.name), peer.uid(), log_value(reason));
  if (ended) ended(*id);
  json reply{{"session",
              {{"session_id", *id},
               {"lane", was->lane},
               {"state", db::to_string(was->state)},
               {"group_size", was->group_size},
               {"age_s", age_seconds(was->created_at_ms, now_ms)},
               {"passages", was->passages ? json(*was->passages) : json(nullptr)},
               {"hold_requested", was->hold_requested}}},
             {"reason", reason}};
  put_actor(reply, actor);
  return drivers::control_ok(std::move(reply));
}

}  // namespace passgate::daemon
