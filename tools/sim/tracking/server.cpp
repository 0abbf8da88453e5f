#include "tools/sim/tracking/server.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "tools/sim/tracking/body.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxDelayMs = 600'000;

HttpAnswer answer(int status, const json& body) { return make_answer(status, body.dump()); }

HttpAnswer error_answer(int status, const std::string& code, const std::string& message) {
  return answer(status, json{{"error", code}, {"message", message}});
}

int status_for(const Error& error) {
  if (error.code == "not_found") return 404;
  if (error.code == "conflict") return 409;
  return 400;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

const char* to_string(TrackingFaultMode mode) {
  switch (mode) {
    case TrackingFaultMode::unreachable: return "unreachable";
    case TrackingFaultMode::slow: return "slow";
    case TrackingFaultMode::error5xx: return "error5xx";
    case TrackingFaultMode::none: break;
  }
  return "none";
}

std::optional<TrackingFaultMode> parse_tracking_fault_mode(std::string_view text) {
  for (auto mode : {TrackingFaultMode::none, TrackingFaultMode::unreachable, TrackingFaultMode::slow,
                    TrackingFaultMode::error5xx}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

Result<std::unique_ptr<TrackingServer>> TrackingServer::create(boost::asio::io_context& io,
                                                               TrackingServerOptions options) {
  std::unique_ptr<TrackingServer> server(new TrackingServer(std::move(options)));
  const auto& opts = server->options_;
  auto api = HttpListener::create(io, opts.port, opts.tls ? &*opts.tls : nullptr,
                                  [s = server.get()](const HttpCall& call) { return s->on_api(call); });
  if (!api) return make_error(api.error().code, "tracking simulator API port: " + api.error().message);
  auto control = HttpListener::create(io, opts.control_port, nullptr,
                                      [s = server.get()](const HttpCall& call) { return s->on_control(call); });
  if (!control) {
    return make_error(control.error().code, "tracking simulator control port: " + control.error().message);
  }
  server->api_ = std::move(api.value());
  server->control_ = std::move(control.value());
  if (opts.auto_finalize) {
    server->time_ = std::make_unique<AsioTime>(io);
    server->finalizer_ = std::make_unique<AutoFinalizer>(server->engine_, *server->time_, *opts.auto_finalize,
                                                         opts.on_auto_finalize);
    server->engine_.set_passage_observer(
        [finalizer = server->finalizer_.get()](const TrackingPassage& p) { finalizer->passage(p); });
  }
  return server;
}

TrackingServer::TrackingServer(TrackingServerOptions options) : options_(std::move(options)) {
  for (const auto& shopper : options_.blocked_shoppers) engine_.block_shopper(shopper);
}

Status TrackingServer::set_fault(TrackingServerFault fault) {
  const bool slow = fault.mode == TrackingFaultMode::slow;
  if (slow && fault.delay.count() <= 0) return make_error("bad_fault", "fault slow needs a delay above 0 ms");
  if (!slow && fault.delay.count() != 0) {
    return make_error("bad_fault", std::string("a delay applies only to fault slow, not ") + to_string(fault.mode));
  }
  if (fault.mode == TrackingFaultMode::unreachable) {
    api_->stop_accepting();
  } else if (auto listening = api_->resume_accepting(); !listening) {
    return listening;
  }
  fault_ = fault;
  return {};
}

HttpAnswer TrackingServer::on_api(const HttpCall& call) {
  if (fault_.mode == TrackingFaultMode::error5xx) {
    log(false, call, 503, {});
    return error_answer(503, "unavailable", "the tracking simulator plays fault error5xx");
  }
  const ApiReply reply = engine_.handle(ApiRequest{call.method, call.target, call.header("X-Gate-Id"), call.body});
  log(false, call, reply.status, reply.subject);
  const auto delay = fault_.mode == TrackingFaultMode::slow ? fault_.delay : std::chrono::milliseconds(0);
  return make_answer(reply.status, reply.body, delay);
}

HttpAnswer TrackingServer::on_control(const HttpCall& call) {
  const std::string path = path_of(call.target);
  HttpAnswer result;
  if (call.method == "POST" && path == "/control/fault") {
    result = control_fault(call.body);
  } else if (call.method == "POST" && (path == "/control/block" || path == "/control/unblock")) {
    result = control_shopper(call.body, path == "/control/block");
  } else if (call.method == "POST" && path == "/control/finalize") {
    result = control_finalize(call.body);
  } else if (call.method == "GET" && path == "/control/state") {
    result = make_answer(200, state_json());
  } else {
    result = error_answer(404, "not_found",
                          "no control endpoint " + call.method + " " + path +
                              " (POST /control/fault, /control/block, /control/unblock, /control/finalize; "
                              "GET /control/state)");
  }
  log(true, call, result.status, {});
  return result;
}

HttpAnswer TrackingServer::control_fault(const std::string& text) {
  auto body = parse_body_object(text);
  if (!body) return error_answer(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string mode_text = fields.one_of("mode", {"none", "unreachable", "slow", "error5xx"});
  const std::int64_t delay_ms = body->contains("delay_ms") ? fields.integer("delay_ms", 0, kMaxDelayMs) : 0;
  if (!fields.ok()) return error_answer(400, "bad_request", fields.problems());
  const TrackingServerFault fault{*parse_tracking_fault_mode(mode_text), std::chrono::milliseconds(delay_ms)};
  if (auto set = set_fault(fault); !set) {
    return error_answer(set.error().code == "bad_fault" ? 400 : 500, set.error().code, set.error().message);
  }
  return answer(200, json{{"mode", mode_text}, {"delay_ms", delay_ms}});
}

HttpAnswer TrackingServer::control_shopper(const std::string& text, bool block) {
  auto body = parse_body_object(text);
  if (!body) return error_answer(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string shopper = fields.text("shopper");
  if (!fields.ok()) return error_answer(400, "bad_request", fields.problems());
  if (block) {
    engine_.block_shopper(shopper);
  } else {
    engine_.unblock_shopper(shopper);
  }
  return answer(200, json{{"blocked", engine_.blocked_shoppers()}});
}

HttpAnswer TrackingServer::control_finalize(const std::string& text) {
  auto body = parse_body_object(text);
  if (!body) return error_answer(400, "bad_request", body.error().message);
  BodyFields fields(*body);
  const std::string session_id = fields.text("session_id");
  const std::string currency = body->contains("currency") ? fields.text("currency") : "USD";
  std::vector<CartItem> items;
  if (const auto listed = body->find("items"); listed != body->end()) {
    if (!listed->is_array()) return error_answer(400, "bad_request", "items: expected an array of items");
    for (const auto& entry : *listed) {
      if (!entry.is_object()) return error_answer(400, "bad_request", "items: every item must be an object");
      BodyFields item_fields(entry);
      CartItem item{item_fields.text("sku"), item_fields.text("name"), item_fields.integer("qty", 1, 1'000'000),
                    item_fields.integer("unit_minor", 0, 1'000'000'000)};
      if (!item_fields.ok()) return error_answer(400, "bad_request", "items: " + item_fields.problems());
      items.push_back(std::move(item));
    }
  }
  if (!fields.ok()) return error_answer(400, "bad_request", fields.problems());
  // A total to publish instead of the items' sum: any JSON value (a hostile engine's).
  const auto total = body->find("total_minor");
  const std::string published_total = total == body->end() ? std::string() : total->dump();
  if (auto done = engine_.finalize_cart(session_id, currency, std::move(items), published_total); !done) {
    return error_answer(status_for(done.error()), done.error().code, done.error().message);
  }
  return answer(200, json{{"session_id", session_id}, {"state", "final"}});
}

std::string TrackingServer::state_json() const {
  json sessions = json::array();
  std::map<std::string, int> by_state;
  for (const auto& s : engine_.sessions()) {
    ++by_state[to_string(s.state)];
    const bool is_final = s.state == TrackingSessionState::final;
    sessions.push_back({{"session_id", s.session_id}, {"store_id", s.store_id}, {"gate_id", s.gate_id},
                        {"lane", s.lane}, {"shopper", s.shopper}, {"group_size", s.group_size},
                        {"admitted_at", s.admitted_at}, {"state", to_string(s.state)},
                        {"cancel_reason", s.cancel_reason.empty() ? json() : json(s.cancel_reason)},
                        {"currency", is_final ? json(s.currency) : json()},
                        {"total_minor", !is_final                     ? json()
                                        : s.published_total.empty() ? json(cart_total_minor(s))
                                                                    : json::parse(s.published_total)},
                        {"finalized_at", is_final ? json(s.finalized_at) : json()}});
  }
  json passages = json::array();
  for (const auto& p : engine_.passages()) {
    passages.push_back({{"passage_id", p.passage_id}, {"gate_id", p.gate_id}, {"lane", p.lane},
                        {"direction", p.direction}, {"kind", p.kind},
                        {"session_id", p.session_id ? json(*p.session_id) : json()}, {"at", p.at}});
  }
  const json counts{{"sessions", engine_.sessions().size()},
                    {"open", by_state["open"]},
                    {"cancelled", by_state["cancelled"]},
                    {"final", by_state["final"]},
                    {"passages", engine_.passages().size()},
                    {"duplicate_passages", engine_.duplicate_passages()},
                    {"api_connections", api_->connections_accepted()}};
  json auto_finalize;  // null when off
  if (finalizer_) {
    const auto& settings = finalizer_->settings();
    auto_finalize = {{"after_ms", settings.after.count()}, {"cart_seed", settings.cart_seed},
                     {"waiting", finalizer_->waiting()}};
  }
  return json{{"fault", {{"mode", to_string(fault_.mode)}, {"delay_ms", fault_.delay.count()}}},
              {"auto_finalize", std::move(auto_finalize)},
              {"blocked", engine_.blocked_shoppers()},
              {"sessions", std::move(sessions)},
              {"passages", std::move(passages)},
              {"counts", counts}}
      .dump();
}

void TrackingServer::log(bool control, const HttpCall& call, int status, const std::string& subject) const {
  if (options_.on_request) options_.on_request(TrackingRequestLog{control, call.method, path_of(call.target), status, subject});
}

}  // namespace passgate::sim
