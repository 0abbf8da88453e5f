// The JSON bodies the gate sends to the tracking engine (docs/interfaces/tracking-engine.md),
// built in one place so a retried request is byte for byte the first one.
#pragma once

#include <optional>
#include <string>

#include "controller/lanes/ports.hpp"
#include "db/outbox.hpp"

namespace passgate::controller {

struct GateIdentity {
  std::string store_id;
  std::string gate_id;
};

struct SessionOpen {
  std::string session_id;
  int lane = 0;
  std::string shopper;
  std::string token_id;
  int group_size = 1;
  std::string admitted_at;  // RFC 3339 ms
};

inline constexpr const char* kSessionsTarget = "/v1/sessions";
inline constexpr const char* kPassagesTarget = "/v1/passages";

// POST /v1/sessions
[[nodiscard]] std::string session_open_body(const GateIdentity& gate, const SessionOpen& s);
// POST /v1/passages
[[nodiscard]] std::string passage_body(const GateIdentity& gate, const std::string& passage_id, int lane,
                                       Direction direction, PassageKind kind,
                                       const std::optional<std::string>& session_id, const std::string& at);
// The session a session_open body (as session_open_body wrote it) names, if it can be read.
[[nodiscard]] std::optional<std::string> session_of_open_body(const std::string& body);
// POST /v1/sessions/{id}/cancel
[[nodiscard]] std::string cancel_target(const std::string& session_id);
[[nodiscard]] std::string cancel_body();

// The outbox messages (db/outbox.hpp) carrying these requests, each with its session, so
// that the outbox keeps a session's own messages in order.
[[nodiscard]] db::OutboxMessage open_message(const std::string& session_id, const std::string& body);
[[nodiscard]] db::OutboxMessage passage_message(const std::optional<std::string>& session_id, std::string body);
[[nodiscard]] db::OutboxMessage cancel_message(const std::string& session_id);

}  // namespace passgate::controller
