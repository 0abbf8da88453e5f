// GatewayServer's reader faults: set_reader_fault() and the two ways to reach it, POST
// /_sim/readers/{reader} on the API port (form) and POST /control/readers/{reader} on the
// control port (JSON); and the control port's tap (the test helper's); see server.hpp.
#include <utility>

#include "tools/sim/gateway/api_reply.hpp"
#include "tools/sim/gateway/server.hpp"
#include "tools/sim/gateway/server_support.hpp"
#include "tools/sim/gateway/test_cards.hpp"
#include "tools/sim/tracking/body.hpp"

namespace passgate::sim {

using nlohmann::json;

Status GatewayServer::set_reader_fault(const std::string& reader, TerminalFault fault,
                                       std::chrono::milliseconds delay) {
  if (ledger_.terminal().find_reader(reader) == nullptr) {
    return make_error("no_such_reader", "no reader " + reader + " (start the simulator with --reader " + reader + ")");
  }
  if ((fault == TerminalFault::delay_ms) != (delay.count() > 0)) {
    return make_error("bad_fault", "fault delay_ms needs delay_ms above 0, and only it takes one");
  }
  switch (fault) {
    case TerminalFault::drop_response: drop_next_post_ = true; return {};
    case TerminalFault::delay_ms: return set_fault(GatewayFault{GatewayFaultMode::slow, delay, {}, {}, {}});
    case TerminalFault::api_down: return set_fault(GatewayFault{GatewayFaultMode::error5xx, {}, {}, {}, {}});
    case TerminalFault::none:
      drop_next_post_ = false;
      if (auto cleared = set_fault(GatewayFault{}); !cleared) return cleared;
      break;
    default: break;
  }
  return ledger_.terminal().set_fault(reader, fault);
}

json GatewayServer::reader_faults_json(const std::string& reader) const {
  return json{{"reader", reader},
              {"faults", ledger_.terminal().find_reader(reader)->faults_json()},
              {"api", fault_json()},
              {"drop_next_post", drop_next_post_}};
}

HttpAnswer GatewayServer::reader_fault_answer(const std::string& reader, const Status& set, bool control) {
  if (set) return make_answer(200, reader_faults_json(reader).dump());
  const int status = set.error().code == "no_such_reader" ? 404 : set.error().code == "bad_fault" ? 400 : 500;
  if (control) return control_error(status, set.error().code, set.error().message);
  return make_answer(status, gateway_error_body("invalid_request_error", set.error().code, set.error().message));
}

HttpAnswer GatewayServer::sim_reader(const HttpCall& call, const std::string& reader) {
  const auto answer = [&](HttpAnswer made) {
    log(false, call, made.status, reader, "sim");
    return made;
  };
  if (call.header("Authorization") != "Bearer " + options_.api_key) {
    return answer(make_answer(401, gateway_error_body("invalid_request_error", "api_key_invalid",
                                                      "the simulator's controls need the API key too")));
  }
  if (call.method != "POST") {
    return answer(make_answer(404, gateway_error_body("invalid_request_error", "url_unrecognized",
                                                      "POST /_sim/readers/{reader} with fault=")));
  }
  auto params = api::decode_params(call.body, "the body");
  if (!params) return answer(make_answer(400, api::bad_form(params.error()).body));
  GatewayParams& p = params.value();
  const std::string name = p.text("fault");
  const auto fault = parse_terminal_fault(name);
  if (!name.empty() && !fault) {
    p.problem("fault", "parameter_invalid", "fault: expected one of " + terminal_fault_names());
  }
  const auto delay = p.optional_positive_integer("delay_ms", kMaxFaultDelayMs);
  p.finish();
  if (!p.ok()) return answer(make_answer(400, api::bad_params(p).body));
  return answer(reader_fault_answer(
      reader, set_reader_fault(reader, *fault, std::chrono::milliseconds(delay.value_or(0))), false));
}

HttpAnswer GatewayServer::control_reader(const std::string& reader, const std::string& text) {
  auto body = parse_body_object(text);
  if (!body) return control_error(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string name = fields.text("fault");
  std::int64_t delay = 0;
  if (body->contains("delay_ms")) delay = fields.integer("delay_ms", 1, kMaxFaultDelayMs);
  if (!fields.ok()) return control_error(400, "bad_request", fields.problems());
  const auto fault = parse_terminal_fault(name);
  if (!fault) return control_error(400, "bad_request", "fault: expected one of " + terminal_fault_names());
  return reader_fault_answer(reader, set_reader_fault(reader, *fault, std::chrono::milliseconds(delay)), true);
}

HttpAnswer GatewayServer::control_tap(const std::string& reader, const std::string& text) {
  auto body = parse_body_object(text.empty() ? std::string("{}") : text);
  if (!body) return control_error(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string card = body->contains("card") ? fields.text("card") : std::string(kDefaultTestCard);
  if (!fields.ok()) return control_error(400, "bad_request", fields.problems());
  const bool digits = !card.empty() && card.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return control_error(400, "bad_request", "card: expected a test card number (digits only)");
  // The very request a tester sends to the API port: the test helper, with the API key.
  const GatewayReply reply =
      ledger_.handle(GatewayRequest{"POST", "/v1/test_helpers/terminal/readers/" + reader + "/present_payment_method",
                                    "Bearer " + options_.api_key, std::nullopt, "type=card_present&card_present[number]=" + card});
  return make_answer(reply.status, reply.body);
}

}  // namespace passgate::sim
