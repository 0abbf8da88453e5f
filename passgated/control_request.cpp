#include "passgated/control_request.hpp"

#include <algorithm>
#include <cstdint>

namespace passgate::daemon {

using json = nlohmann::json;

json refused(std::string code, std::string message) {
  return drivers::control_error(make_error(std::move(code), std::move(message)));
}

std::string operator_of(const json& request, const drivers::ControlPeer& peer) {
  constexpr std::size_t kMaxLength = 100;
  std::string name;
  const auto given = request.find("operator");
  if (given != request.end() && given->is_string()) {
    for (const char c : given->get<std::string>()) {
      if (name.size() == kMaxLength) break;
      name += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    }
  }
  if (name.find_first_not_of(' ') == std::string::npos) return "uid " + std::to_string(peer.uid());
  return name;
}

db::AuditActor audit_actor_of(const json& request, const drivers::ControlPeer& peer) {
  return db::AuditActor(operator_of(request, peer), static_cast<std::int64_t>(peer.uid()),
                        static_cast<std::int64_t>(peer.gid()));
}

void put_actor(json& reply, const db::AuditActor& actor) {
  reply["actor"] = actor.name;
  reply["uid"] = actor.uid ? json(*actor.uid) : json(nullptr);
  reply["gid"] = actor.gid ? json(*actor.gid) : json(nullptr);
}

Result<int> count_argument(const json& request, const char* key, int fallback) {
  auto count = integer_argument(request, key, kCountRange, fallback);
  if (!count.ok()) return count.error();
  return static_cast<int>(*count);
}

std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms) {
  return std::max<std::int64_t>(now_ms - since_ms, 0) / 1000;
}

}  // namespace passgate::daemon
