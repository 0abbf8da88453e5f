#include "passgated/control_outbox.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "passgated/control_queue.hpp"
#include "passgated/control_request.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

json action_json(const db::OutboxItem& item, const db::AuditActor& actor, std::int64_t now_ms) {
  json reply{{"message", outbox_message_json(item, now_ms)}};
  put_actor(reply, actor);
  return reply;
}

}  // namespace

json outbox_message_json(const db::OutboxItem& item, std::int64_t now_ms) {
  json out{{"id", item.id},
           {"kind", item.message.kind},
           {"target", item.message.target},
           {"session_id", item.message.session_id.empty() ? json(nullptr) : json(item.message.session_id)},
           {"created_at", format_rfc3339_ms(WallTime{std::chrono::milliseconds{item.created_at_ms}})},
           {"age_s", age_seconds(item.created_at_ms, now_ms)},
           {"attempts", item.attempts},
           {"rejections", item.rejections},
           {"last_error", item.last_error}};
  if (item.dead_at_ms > 0) {
    out["dead_since"] = format_rfc3339_ms(WallTime{std::chrono::milliseconds{item.dead_at_ms}});
  }
  return out;
}

Result<json> outbox_reply(db::Database& database, const json& request, WallTime now) {
  auto limit = count_argument(request, "limit", kDefaultQueueLimit);
  if (!limit.ok()) return limit.error();
  db::Outbox outbox(database);
  auto summary = outbox.summary();
  if (!summary.ok()) return summary.error();
  auto dead = outbox.dead_letters(*limit == 0 ? std::numeric_limits<int>::max() : *limit);
  if (!dead.ok()) return dead.error();
  const std::int64_t now_ms = unix_millis(now);
  json letters = json::array();
  for (const auto& item : *dead) letters.push_back(outbox_message_json(item, now_ms));
  return drivers::control_ok(json{{"waiting", summary->waiting},
                                  {"dead_letters", summary->dead_letters},
                                  {"oldest", summary->oldest ? outbox_message_json(*summary->oldest, now_ms) : json()},
                                  {"dead", letters}});
}

Result<json> outbox_retry(db::Database& database, const json& request, const drivers::ControlPeer& peer, WallTime now,
                          const std::function<void()>& outbox_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  auto id = integer_argument(request, "id", kIdRange);
  if (!id.ok()) return id.error();
  const std::int64_t now_ms = unix_millis(now);
  auto was = db::Outbox(database).retry_dead_letter(*id, actor, now_ms);
  if (!was.ok()) return was.error();
  spdlog::warn("event=outbox_retry message_id={} kind={} session={} operator={} uid={}", was->id,
               log_value(was->message.kind), log_value(was->message.session_id), log_value(actor.name), peer.uid());
  if (outbox_changed) outbox_changed();
  return drivers::control_ok(action_json(*was, actor, now_ms));
}

Result<json> outbox_drop(db::Database& database, const json& request, const drivers::ControlPeer& peer, WallTime now,
                         const std::function<void()>& outbox_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  auto id = integer_argument(request, "id", kIdRange);
  if (!id.ok()) return id.error();
  const std::string reason = request.value("reason", std::string());
  const std::int64_t now_ms = unix_millis(now);
  auto was = db::Outbox(database).drop_dead_letter(*id, reason, actor, now_ms);
  if (!was.ok()) return was.error();
  spdlog::warn("event=outbox_drop message_id={} kind={} session={} operator={} uid={} reason={}", was->id,
               log_value(was->message.kind), log_value(was->message.session_id), log_value(actor.name), peer.uid(),
               log_value(reason));
  if (outbox_changed) outbox_changed();
  auto reply = action_json(*was, actor, now_ms);
  reply["reason"] = reason;
  return drivers::control_ok(std::move(reply));
}

}  // namespace passgate::daemon
