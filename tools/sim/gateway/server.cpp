#include "tools/sim/gateway/server.hpp"

#include <utility>

#include "tools/sim/gateway/report.hpp"
#include "tools/sim/gateway/server_support.hpp"
#include "tools/sim/tracking/body.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxRetryAfterS = 86'400;
constexpr std::int64_t kMaxCount = 1'000'000'000;


// `answer`, if a 200 PaymentIntent, made to misstate what `lie` names. Whether it lied.
bool tell_lie(HttpAnswer& answer, GatewayLie lie) {
  if (answer.status != 200) return false;
  json intent = json::parse(answer.body, nullptr, false);
  if (!intent.is_object() || intent.value("object", "") != "payment_intent") return false;
  switch (lie) {
    case GatewayLie::amount:
      for (const char* field : {"amount", "amount_capturable", "amount_received"}) intent[field] = 1;
      break;
    case GatewayLie::currency:
      intent["currency"] = intent.value("currency", "") == "jpy" ? "usd" : "jpy";
      break;
    case GatewayLie::session:
      intent["metadata"]["session_id"] = "00000000-0000-4000-8000-000000000000";
      break;
    case GatewayLie::intent_id:
      intent["id"] = "pi_00000000000000000000000000000000";
      break;
    case GatewayLie::status_299:
      answer.status = 299;
      return true;
  }
  answer.body = intent.dump();
  return true;
}

}  // namespace

const char* to_string(GatewayFaultMode mode) {
  switch (mode) {
    case GatewayFaultMode::unreachable: return "unreachable";
    case GatewayFaultMode::slow: return "slow";
    case GatewayFaultMode::error5xx: return "error5xx";
    case GatewayFaultMode::rate_limit: return "rate_limit";
    case GatewayFaultMode::drop_response: return "drop_response";
    case GatewayFaultMode::lie: return "lie";
    case GatewayFaultMode::none: break;
  }
  return "none";
}

const char* to_string(GatewayLie lie) {
  switch (lie) {
    case GatewayLie::currency: return "currency";
    case GatewayLie::session: return "session";
    case GatewayLie::intent_id: return "intent_id";
    case GatewayLie::status_299: return "status_299";
    case GatewayLie::amount: break;
  }
  return "amount";
}

std::optional<GatewayLie> parse_gateway_lie(std::string_view text) {
  for (auto lie : {GatewayLie::amount, GatewayLie::currency, GatewayLie::session, GatewayLie::intent_id,
                   GatewayLie::status_299}) {
    if (text == to_string(lie)) return lie;
  }
  return std::nullopt;
}

std::optional<GatewayFaultMode> parse_gateway_fault_mode(std::string_view text) {
  for (auto mode : {GatewayFaultMode::none, GatewayFaultMode::unreachable, GatewayFaultMode::slow,
                    GatewayFaultMode::error5xx, GatewayFaultMode::rate_limit, GatewayFaultMode::drop_response,
                    GatewayFaultMode::lie}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

Result<std::unique_ptr<GatewayServer>> GatewayServer::create(boost::asio::io_context& io,
                                                             GatewayServerOptions options) {
  if (options.api_key.empty()) return make_error("bad_options", "the gateway simulator needs an API key");
  std::unique_ptr<GatewayServer> server(new GatewayServer(std::move(options)));
  const auto& opts = server->options_;
  for (const auto& reader : opts.readers) {
    if (auto added = server->ledger_.terminal().add_reader(reader); !added) {
      return make_error("bad_options", added.error().message);
    }
  }
  auto api = HttpListener::create(io, opts.port, opts.tls ? &*opts.tls : nullptr,
                                  [s = server.get()](const HttpCall& call) { return s->on_api(call); });
  if (!api) return make_error(api.error().code, "gateway simulator API port: " + api.error().message);
  auto control = HttpListener::create(io, opts.control_port, nullptr,
                                      [s = server.get()](const HttpCall& call) { return s->on_control(call); });
  if (!control) return make_error(control.error().code, "gateway simulator control port: " + control.error().message);
  server->api_ = std::move(api.value());
  server->control_ = std::move(control.value());
  return server;
}

GatewayServer::GatewayServer(GatewayServerOptions options) : options_(std::move(options)), ledger_(options_.api_key) {}

Status GatewayServer::set_fault(GatewayFault fault) {
  const auto mode = std::string(to_string(fault.mode));
  const bool slow = fault.mode == GatewayFaultMode::slow;
  if (slow && fault.delay.count() <= 0) return make_error("bad_fault", "fault slow needs a delay above 0 ms");
  if (!slow && fault.delay.count() != 0) {
    return make_error("bad_fault", "a delay applies only to fault slow, not " + mode);
  }
  if (fault.retry_after && fault.mode != GatewayFaultMode::rate_limit) {
    return make_error("bad_fault", "retry_after applies only to fault rate_limit, not " + mode);
  }
  if (fault.mode == GatewayFaultMode::lie && !fault.lie) {
    return make_error("bad_fault", "fault lie needs what to misstate: amount, currency, session, intent_id or status_299");
  }
  if (fault.lie && fault.mode != GatewayFaultMode::lie) {
    return make_error("bad_fault", "a lie applies only to fault lie, not " + mode);
  }
  if (fault.retry_after && fault.retry_after->count() < 0)
    return make_error("bad_fault", "retry_after cannot be negative");
  if (fault.count && *fault.count == 0) return make_error("bad_fault", "count must be at least 1");
  if (fault.count && (fault.mode == GatewayFaultMode::none || fault.mode == GatewayFaultMode::unreachable)) {
    return make_error("bad_fault", "a count applies to faults that answer requests, not " + mode +
                                       " (unreachable lasts until the fault is changed)");
  }
  if (fault.mode == GatewayFaultMode::unreachable) {
    drop_connections();
    api_->stop_accepting();
  } else if (auto listening = api_->resume_accepting(); !listening) {
    return listening;
  }
  fault_ = fault;
  return {};
}

json GatewayServer::fault_json() const {
  return json{{"mode", to_string(fault_.mode)},
              {"delay_ms", fault_.delay.count()},
              {"retry_after_s", fault_.retry_after ? json(fault_.retry_after->count()) : json()},
              {"lie", fault_.lie ? json(to_string(*fault_.lie)) : json()},
              {"remaining", fault_.count ? json(*fault_.count) : json()}};
}

void GatewayServer::drop_connections() {
  api_->drop_connections();
  ledger_.end_all_in_progress();
}

GatewayFault GatewayServer::take_fault() {
  const GatewayFault now = fault_;
  if (fault_.count && --*fault_.count == 0) fault_ = GatewayFault{};
  return now;
}

bool GatewayServer::over_rate_limit() {
  if (options_.rate_limit_per_second <= 0) return false;
  const auto now = options_.now ? options_.now() : std::chrono::steady_clock::now();
  while (!recent_.empty() && now - recent_.front() >= std::chrono::seconds(1)) recent_.pop_front();
  if (static_cast<int>(recent_.size()) >= options_.rate_limit_per_second) return true;
  recent_.push_back(now);
  return false;
}

HttpAnswer GatewayServer::on_api(const HttpCall& call) {
  ++counts_.total;
  const std::string path = path_of(call.target);
  constexpr std::string_view kSimReaders = "/_sim/readers/";
  if (path.starts_with(kSimReaders)) return sim_reader(call, path.substr(kSimReaders.size()));
  // The simulated shopper's tap is not the API under test: never faulted.
  const bool test_helper = path.starts_with("/v1/test_helpers/");
  if (over_rate_limit()) {
    ++counts_.rate_limited;
    HttpAnswer answer = make_answer(429, gateway_error_body("invalid_request_error", "rate_limit",
                                                            "too many requests: more than " +
                                                                std::to_string(options_.rate_limit_per_second) +
                                                                " in the last second; nothing was done"));
    answer.headers.emplace_back("Retry-After", "1");
    log(false, call, 429, {}, "rate limited");
    return answer;
  }
  const GatewayFault fault = test_helper ? GatewayFault{} : take_fault();
  if (fault.mode == GatewayFaultMode::error5xx) {
    ++counts_.faulted;
    log(false, call, 503, {}, "fault error5xx");
    return make_answer(503, gateway_error_body("api_error", "service_unavailable",
                                               "the gateway simulator plays fault error5xx; nothing was done"));
  }
  if (fault.mode == GatewayFaultMode::rate_limit) {
    ++counts_.faulted;
    HttpAnswer answer = make_answer(429, gateway_error_body("invalid_request_error", "rate_limit",
                                                            "too many requests (the gateway simulator plays fault "
                                                            "rate_limit); nothing was done"));
    if (fault.retry_after) answer.headers.emplace_back("Retry-After", std::to_string(fault.retry_after->count()));
    log(false, call, 429, {}, "fault rate_limit");
    return answer;
  }

  const GatewayReply reply = ledger_.handle(GatewayRequest{call.method, call.target, call.header("Authorization"),
                                                           call.header("Idempotency-Key"), call.body});
  HttpAnswer answer = make_answer(reply.status, reply.body);
  std::string note;
  if (reply.replayed) {
    ++counts_.replayed;
    answer.headers.emplace_back("Idempotent-Replayed", "true");
    note = "replayed";
  }
  if (reply.status == 409) ++counts_.conflicts;
  if (fault.mode == GatewayFaultMode::slow) {
    answer.delay = fault.delay;
    if (!reply.stored_key.empty()) {
      ledger_.set_in_progress(reply.stored_key, true);
      answer.on_delay_end = [this, key = reply.stored_key] { ledger_.set_in_progress(key, false); };
    }
    note += note.empty() ? "slow" : " slow";
  }
  if (fault.mode == GatewayFaultMode::lie && call.method == "POST" && tell_lie(answer, *fault.lie)) {
    ++counts_.lied;
    note += std::string(note.empty() ? "" : " ") + "lie " + to_string(*fault.lie);
  }
  const bool drop_post = call.method == "POST" && !test_helper && std::exchange(drop_next_post_, false);
  if (fault.mode == GatewayFaultMode::drop_response || drop_post) {
    ++counts_.dropped;
    answer.drop = true;
    note += note.empty() ? "dropped" : " dropped";
  }
  log(false, call, answer.status, reply.subject, note);
  return answer;
}

HttpAnswer GatewayServer::on_control(const HttpCall& call) {
  const std::string path = path_of(call.target);
  HttpAnswer result;
  if (call.method == "POST" && path == "/control/fault") {
    result = control_fault(call.body);
  } else if (call.method == "POST" && path == "/control/forget_keys") {
    result = make_answer(200, json{{"forgotten", ledger_.forget_keys()}}.dump());
  } else if (call.method == "GET" && path == "/control/ledger") {
    result = make_answer(200, ledger_json());
  } else if (call.method == "POST" && path.starts_with("/control/readers/") && path.ends_with("/tap")) {
    const std::string_view rest = std::string_view(path).substr(std::string_view("/control/readers/").size());
    result = control_tap(std::string(rest.substr(0, rest.size() - std::string_view("/tap").size())), call.body);
  } else if (call.method == "POST" && path.starts_with("/control/readers/")) {
    result = control_reader(path.substr(std::string_view("/control/readers/").size()), call.body);
  } else {
    result = control_error(404, "not_found",
                           "no control endpoint " + call.method + " " + path +
                               " (POST /control/fault, POST /control/forget_keys, GET /control/ledger, "
                               "POST /control/readers/{reader}, POST /control/readers/{reader}/tap)");
  }
  log(true, call, result.status, {}, {});
  return result;
}

HttpAnswer GatewayServer::control_fault(const std::string& text) {
  auto body = parse_body_object(text);
  if (!body) return control_error(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string mode_text = fields.one_of("mode", {"none", "unreachable", "slow", "error5xx", "rate_limit",
                                                       "drop_response", "lie"});
  GatewayFault fault;
  if (body->contains("delay_ms")) fault.delay = std::chrono::milliseconds(fields.integer("delay_ms", 0, kMaxFaultDelayMs));
  if (body->contains("retry_after_s")) {
    fault.retry_after = std::chrono::seconds(fields.integer("retry_after_s", 0, kMaxRetryAfterS));
  }
  if (body->contains("lie")) {
    fault.lie = parse_gateway_lie(fields.one_of("lie", {"amount", "currency", "session", "intent_id", "status_299"}));
  }
  if (body->contains("count")) fault.count = static_cast<std::size_t>(fields.integer("count", 1, kMaxCount));
  if (!fields.ok()) return control_error(400, "bad_request", fields.problems());
  fault.mode = *parse_gateway_fault_mode(mode_text);
  if (auto set = set_fault(fault); !set) {
    return control_error(set.error().code == "bad_fault" ? 400 : 500, set.error().code, set.error().message);
  }
  return make_answer(200, fault_json().dump());
}

std::string GatewayServer::ledger_json() const {
  json ledger = ledger_report_json(ledger_.intents(), ledger_.terminal().readers());
  ledger["requests"] = {{"total", counts_.total},
                        {"replayed", counts_.replayed},
                        {"conflicts", counts_.conflicts},
                        {"faulted", counts_.faulted},
                        {"rate_limited", counts_.rate_limited},
                        {"dropped", counts_.dropped},
                        {"lied", counts_.lied}};
  ledger["fault"] = fault_json();
  ledger["stored_keys"] = ledger_.stored_keys();
  ledger["drop_next_post"] = drop_next_post_;
  return ledger.dump();
}

void GatewayServer::log(bool control, const HttpCall& call, int status, const std::string& subject,
                        const std::string& note) const {
  if (options_.on_request) {
    options_.on_request(GatewayRequestLog{control, call.method, path_of(call.target), status, subject, note});
  }
}

}  // namespace passgate::sim
