#include "controller/tracking/messages.hpp"

#include <nlohmann/json.hpp>

namespace passgate::controller {

std::string session_open_body(const GateIdentity& gate, const SessionOpen& s) {
  return nlohmann::json{{"session_id", s.session_id}, {"store_id", gate.store_id}, {"gate_id", gate.gate_id},
                        {"lane", s.lane},             {"shopper", s.shopper},    {"token_id", s.token_id},
                        {"group_size", s.group_size}, {"admitted_at", s.admitted_at}}
      .dump();
}

std::string passage_body(const GateIdentity& gate, const std::string& passage_id, int lane, Direction direction,
                         PassageKind kind, const std::optional<std::string>& session_id, const std::string& at) {
  nlohmann::json j{{"passage_id", passage_id},
                   {"store_id", gate.store_id},
                   {"gate_id", gate.gate_id},
                   {"lane", lane},
                   {"direction", to_string(direction)},
                   {"kind", to_string(kind)},
                   {"session_id", nullptr},
                   {"at", at}};
  if (session_id) j["session_id"] = *session_id;
  return j.dump();
}

std::optional<std::string> session_of_open_body(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("session_id") || !j["session_id"].is_string()) return std::nullopt;
  return j["session_id"].get<std::string>();
}

std::string cancel_target(const std::string& session_id) { return "/v1/sessions/" + session_id + "/cancel"; }

std::string cancel_body() { return R"({"reason":"no_passage"})"; }

db::OutboxMessage open_message(const std::string& session_id, const std::string& body) {
  return {"session_open", kSessionsTarget, body, session_id};
}

db::OutboxMessage passage_message(const std::optional<std::string>& session_id, std::string body) {
  return {"passage", kPassagesTarget, std::move(body), session_id.value_or("")};
}

db::OutboxMessage cancel_message(const std::string& session_id) {
  return {"cancel", cancel_target(session_id), cancel_body(), session_id};
}

}  // namespace passgate::controller
