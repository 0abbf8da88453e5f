// How the gate reads the tracking engine's answers to what it sends (open a session, report a
// passage, cancel a session; docs/interfaces/tracking-engine.md#how-an-answer-is-read): by the
// status alone. The answer
// bodies are never parsed; they reach the log only as log_excerpt()s.
#pragma once

#include <string_view>

#include "ports/tracking_port.hpp"

namespace passgate::controller {

enum class TrackingAnswer {
  accepted,     // done: 200 or 201 (a session), 202 too for the outbox (a passage)
  refused,      // 403 to a session open: the shopper is blocked
  conflict,     // 409: the engine has this session with another body (a gate bug), or in a
                //      state a cancel cannot change
  unreachable,  // no response, or a 5xx
  unexpected,   // any other status: logged with an excerpt of the body, then as unreachable
};

// The answer to POST /v1/sessions at entry.
[[nodiscard]] inline TrackingAnswer read_session_answer(const HttpReply& reply) {
  if (reply.status == 200 || reply.status == 201) return TrackingAnswer::accepted;
  if (reply.status == 403) return TrackingAnswer::refused;
  if (reply.status == 409) return TrackingAnswer::conflict;
  return reply.unreachable() ? TrackingAnswer::unreachable : TrackingAnswer::unexpected;
}

// The answer to an outbox message of `kind` ("session_open", "passage", "cancel").
// A cancel of a session the engine does not know (404) is done: there is nothing to cancel
// (e.g. it refused the open request that came before it); a 409 to a cancel (the session is
// already final: the engine followed someone under it) is done too, since no resend changes
// that, and is logged as an error by the sender. A passage has no conflicting body
// (a duplicate is a 202), so a 409 to it is outside the contract: a rejection, retried and in
// the end a dead letter, never dropped. "Come back later" (408, 425, 429) is the engine
// unreachable for now, never a rejection of the message.
[[nodiscard]] inline TrackingAnswer read_outbox_answer(std::string_view kind, const HttpReply& reply) {
  if (reply.status == 202) return TrackingAnswer::accepted;
  if (reply.status == 408 || reply.status == 425 || reply.status == 429) return TrackingAnswer::unreachable;
  if (reply.status == 404 && kind == "cancel") return TrackingAnswer::accepted;
  if (reply.status == 409 && kind == "passage") return TrackingAnswer::unexpected;
  const TrackingAnswer answer = read_session_answer(reply);
  if (answer == TrackingAnswer::refused && kind != "session_open") return TrackingAnswer::unexpected;
  return answer;
}

}  // namespace passgate::controller
