// libFuzzer target: arbitrary bytes as the tracking engine's answer to a session open, a
// passage report or a cancel, read as the gate reads them: the HTTP response through the
// clients' ResponseParser (a refused or malformed one becomes "no response", status 0), then
// read_session_answer and read_outbox_answer, and the body as it reaches the log
// (log_excerpt). The first byte picks the read size. Besides crashes and sanitizer reports,
// it aborts when an answer disagrees with its status (only 2xx accepted, and a 404 to a cancel;
// only a 403 to a session open refused, status 0 and 5xx unreachable, and for the outbox 408, 425
// and 429 too: "come back later") or a body's excerpt is longer than the
// excerpt limit allows or holds a raw control character.
// Seed corpus: corpus/tracking_answers/ (the answers of docs/interfaces/tracking-engine.md, a 5xx, a long 409 body).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log_excerpt.hpp"
#include "controller/tracking/answers.hpp"
#include "drivers/http/response_parser.hpp"

namespace {

using passgate::HttpReply;
using passgate::controller::TrackingAnswer;

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

// `outbox`: the answer to an outbox message, where a 404 to a cancel (`cancel`) means the
// engine has no such session, so the cancel is done, a 409 to a passage (`passage`) is a
// rejection, and 408, 425 and 429 mean "come back later".
void check_answer(TrackingAnswer answer, int status, bool may_refuse, bool outbox = false, bool cancel = false,
                  bool passage = false) {
  require((answer == TrackingAnswer::accepted) ==
          ((status >= 200 && status <= 202) || (cancel && status == 404)));
  require(answer != TrackingAnswer::refused || (may_refuse && status == 403));
  require((answer == TrackingAnswer::conflict) == (status == 409 && !passage));
  require(!passage || status != 409 || answer == TrackingAnswer::unexpected);
  const bool later = outbox && (status == 408 || status == 425 || status == 429);
  require((answer == TrackingAnswer::unreachable) == (status == 0 || status >= 500 || later));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = std::size_t{data[0]} + 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = passgate::drivers::parse_response(bytes, passgate::drivers::ResponseLimits{}, piece);
  HttpReply reply;
  if (parsed) {
    reply.status = parsed->status;
    reply.body = std::move(parsed->body);
    reply.headers = std::move(parsed->headers);
  } else {
    reply.error = parsed.error().message;
  }

  const TrackingAnswer session = passgate::controller::read_session_answer(reply);
  // 202 is not an answer to a session open: unexpected there.
  if (reply.status != 202) check_answer(session, reply.status, true);
  for (const std::string_view kind : {"session_open", "passage", "cancel"}) {
    check_answer(passgate::controller::read_outbox_answer(kind, reply), reply.status, kind == "session_open", true,
                 kind == "cancel", kind == "passage");
  }

  const std::string excerpt = passgate::log_excerpt(reply.body);
  // Each kept byte is at most 4 once escaped, plus "... (N bytes)".
  require(excerpt.size() <= 4 * passgate::kLogExcerptBytes + 32);
  require(std::none_of(excerpt.begin(), excerpt.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  }));
  return 0;
}
