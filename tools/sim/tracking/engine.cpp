#include "tools/sim/tracking/engine.hpp"

#include <charconv>
#include <chrono>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/time_format.hpp"
#include "tools/sim/tracking/body.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr int kMaxLane = 99;
constexpr int kMaxGroup = 10;
constexpr std::size_t kDefaultFeedLimit = 100;
constexpr std::size_t kMaxFeedLimit = 1000;
constexpr std::string_view kCursorPrefix = "feed-";

ApiReply reply(int status, const json& body, std::string subject = {}) {
  return ApiReply{status, body.dump(), std::move(subject)};
}

ApiReply error_reply(int status, const std::string& code, const std::string& message = {},
                     std::string subject = {}) {
  json body{{"error", code}};
  if (!message.empty()) body["message"] = message;
  return reply(status, body, std::move(subject));
}

ApiReply bad_request(const std::string& message, std::string subject = {}) {
  return error_reply(400, "bad_request", message, std::move(subject));
}

// The X-Gate-Id header must name the gate the body speaks for.
std::optional<std::string> gate_mismatch(const ApiRequest& request, const std::string& gate_id) {
  if (gate_id.empty() || gate_id == *request.gate_id) return std::nullopt;
  return "gate_id \"" + gate_id + "\" differs from the X-Gate-Id header \"" + *request.gate_id + "\"";
}

std::string decode_query_value(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr == text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    out[decode_query_value(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : decode_query_value(pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return out;
}

// A positive decimal number no larger than `max`.
std::optional<std::size_t> parse_count(std::string_view text, std::size_t max) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::string cursor_at(std::size_t position) { return std::string(kCursorPrefix) + std::to_string(position); }

json cart_json(const TrackingSession& s) {
  json items = json::array();
  for (const auto& item : s.items) {
    items.push_back({{"sku", item.sku}, {"name", item.name}, {"qty", item.qty}, {"unit_minor", item.unit_minor}});
  }
  json cart{{"session_id", s.session_id}, {"state", to_string(s.state)}, {"currency", s.currency},
            {"total_minor", cart_total_minor(s)}, {"items", std::move(items)}};
  if (!s.published_total.empty()) cart["total_minor"] = json::parse(s.published_total);
  if (s.state == TrackingSessionState::final) cart["finalized_at"] = s.finalized_at;
  return cart;
}

json session_state_json(const TrackingSession& s) {
  return {{"session_id", s.session_id}, {"state", to_string(s.state)}};
}

// "/v1/sessions/ID/cancel" -> {"v1", "sessions", "ID", "cancel"}
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    parts.emplace_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return parts;
}

}  // namespace

const char* to_string(TrackingSessionState state) {
  switch (state) {
    case TrackingSessionState::final: return "final";
    case TrackingSessionState::cancelled: return "cancelled";
    case TrackingSessionState::open: break;
  }
  return "open";
}

std::int64_t cart_total_minor(const TrackingSession& session) {
  std::int64_t total = 0;
  for (const auto& item : session.items) total += item.qty * item.unit_minor;
  return total;
}

ApiReply TrackingEngine::handle(const ApiRequest& request) {
  const auto question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query = question == std::string::npos ? std::string() : request.target.substr(question + 1);
  const auto parts = split_path(path);
  const bool post = request.method == "POST";
  const bool get = request.method == "GET";

  if (parts.empty() || parts[0] != "v1") {
    return error_reply(404, "not_found", "no endpoint " + request.method + " " + path);
  }
  if (!request.gate_id || request.gate_id->empty()) {
    return bad_request("missing X-Gate-Id header: every request names the gate it comes from");
  }
  if (post && parts.size() == 2 && parts[1] == "sessions") return open_session(request);
  if (post && parts.size() == 2 && parts[1] == "passages") return report_passage(request);
  if (post && parts.size() == 4 && parts[1] == "sessions" && parts[3] == "cancel") {
    return cancel_session(request, parts[2]);
  }
  if (get && parts.size() == 2 && parts[1] == "carts") return final_carts(request, query);
  if (get && parts.size() == 4 && parts[1] == "sessions" && parts[3] == "cart") return one_cart(parts[2]);
  return error_reply(404, "not_found", "no endpoint " + request.method + " " + path);
}

ApiReply TrackingEngine::open_session(const ApiRequest& request) {
  auto body = parse_body_object(request.body);
  if (!body) return bad_request(body.error().message);
  BodyFields fields(*body);
  TrackingSession s;
  s.session_id = fields.uuid("session_id");
  s.store_id = fields.text("store_id");
  s.gate_id = fields.text("gate_id");
  s.lane = static_cast<int>(fields.integer("lane", 1, kMaxLane));
  s.shopper = fields.text("shopper");
  (void)fields.text("token_id");  // checked, not kept: the model has no use for it
  s.group_size = static_cast<int>(fields.integer("group_size", 1, kMaxGroup));
  s.admitted_at = fields.timestamp("admitted_at");
  if (!fields.ok()) return bad_request(fields.problems(), s.session_id);
  if (auto mismatch = gate_mismatch(request, s.gate_id)) return bad_request(*mismatch, s.session_id);

  std::string canonical = body->dump();  // members sorted: key order and spacing do not matter
  if (const auto known = session_requests_.find(s.session_id); known != session_requests_.end()) {
    if (known->second != canonical) {
      return error_reply(409, "conflict", "session " + s.session_id + " exists with a different body",
                         s.session_id);
    }
    return reply(200, session_state_json(*find(s.session_id)), s.session_id);
  }
  if (blocked_.contains(s.shopper)) return error_reply(403, "shopper_blocked", {}, s.session_id);

  session_requests_.emplace(s.session_id, std::move(canonical));
  session_index_.emplace(s.session_id, sessions_.size());
  sessions_.push_back(std::move(s));
  return reply(201, session_state_json(sessions_.back()), sessions_.back().session_id);
}

ApiReply TrackingEngine::report_passage(const ApiRequest& request) {
  auto body = parse_body_object(request.body);
  if (!body) return bad_request(body.error().message);
  BodyFields fields(*body);
  TrackingPassage p;
  p.passage_id = fields.uuid("passage_id");
  p.store_id = fields.text("store_id");
  p.gate_id = fields.text("gate_id");
  p.lane = static_cast<int>(fields.integer("lane", 1, kMaxLane));
  p.direction = fields.one_of("direction", {"in", "out"});
  p.kind = fields.one_of("kind", {"admitted", "exit", "tailgate", "forced", "wrong_way"});
  p.session_id = fields.nullable_uuid("session_id");
  p.at = fields.timestamp("at");
  if (!fields.ok()) return bad_request(fields.problems(), p.passage_id);
  if (auto mismatch = gate_mismatch(request, p.gate_id)) return bad_request(*mismatch, p.passage_id);

  const json accepted{{"passage_id", p.passage_id}};
  if (passage_index_.contains(p.passage_id)) {
    ++duplicate_passages_;
    return reply(202, accepted, p.passage_id);
  }
  passage_index_.emplace(p.passage_id, passages_.size());
  passages_.push_back(std::move(p));
  if (passage_observer_) passage_observer_(passages_.back());
  return reply(202, accepted, passages_.back().passage_id);
}

ApiReply TrackingEngine::cancel_session(const ApiRequest& request, const std::string& session_id) {
  auto body = parse_body_object(request.body);
  if (!body) return bad_request(body.error().message, session_id);
  BodyFields fields(*body);
  std::string reason = fields.text("reason");
  if (!fields.ok()) return bad_request(fields.problems(), session_id);
  TrackingSession* s = find(session_id);
  if (s == nullptr) return error_reply(404, "not_found", "no session " + session_id, session_id);
  if (s->state == TrackingSessionState::final) {
    return error_reply(409, "conflict", "session " + session_id + " is final and cannot be cancelled", session_id);
  }
  if (s->state == TrackingSessionState::open) {
    s->state = TrackingSessionState::cancelled;
    s->cancel_reason = std::move(reason);
  }
  return reply(200, session_state_json(*s), session_id);
}

ApiReply TrackingEngine::final_carts(const ApiRequest& request, const std::string& query) {
  auto params = parse_query(query);
  std::vector<std::string> problems;
  for (const char* required : {"store_id", "gate_id"}) {
    if (params[required].empty()) problems.push_back(std::string(required) + ": missing");
  }
  std::size_t position = 0;
  if (const auto after = params.find("after"); after != params.end()) {
    const std::string_view cursor = after->second;
    const auto at = cursor.starts_with(kCursorPrefix) ? parse_count(cursor.substr(kCursorPrefix.size()), finalized_.size())
                                                      : std::nullopt;
    if (!at) problems.push_back("after: \"" + after->second + "\" is not a cursor this engine gave out");
    position = at.value_or(0);
  }
  std::size_t limit = kDefaultFeedLimit;
  if (const auto given = params.find("limit"); given != params.end()) {
    const auto n = parse_count(given->second, kMaxFeedLimit);
    if (!n || *n == 0) problems.push_back("limit: expected an integer from 1 to " + std::to_string(kMaxFeedLimit));
    limit = n.value_or(limit);
  }
  if (auto mismatch = gate_mismatch(request, params["gate_id"])) problems.push_back(*mismatch);
  if (!problems.empty()) return bad_request(join_problems(problems));

  json carts = json::array();
  for (; position < finalized_.size() && carts.size() < limit; ++position) {
    const TrackingSession& s = *find(finalized_[position]);
    if (s.store_id == params["store_id"] && s.gate_id == params["gate_id"]) carts.push_back(cart_json(s));
  }
  return reply(200, json{{"carts", std::move(carts)}, {"next_cursor", cursor_at(position)}});
}

ApiReply TrackingEngine::one_cart(const std::string& session_id) const {
  const TrackingSession* s = find_session(session_id);
  if (s == nullptr) return error_reply(404, "not_found", "no session " + session_id, session_id);
  return reply(200, cart_json(*s), session_id);
}

Status TrackingEngine::finalize_cart(const std::string& session_id, const std::string& currency,
                                     std::vector<CartItem> items, std::string published_total) {
  TrackingSession* s = find(session_id);
  if (s == nullptr) return make_error("not_found", "no session " + session_id);
  if (s->state != TrackingSessionState::open) {
    return make_error("conflict", "session " + session_id + " is " + to_string(s->state) +
                                      "; only open sessions can be finalized");
  }
  for (const auto& item : items) {
    if (item.qty < 1 || item.unit_minor < 0) {
      return make_error("bad_request", "item " + item.sku + ": qty must be at least 1 and unit_minor not negative");
    }
  }
  if (!published_total.empty() && !json::accept(published_total)) {
    return make_error("bad_request", "total_minor: expected a JSON value to publish");
  }
  s->currency = currency;
  s->items = std::move(items);
  s->published_total = std::move(published_total);
  s->state = TrackingSessionState::final;
  s->finalized_at = format_rfc3339_ms(std::chrono::system_clock::now());
  finalized_.push_back(session_id);
  return {};
}

const TrackingSession* TrackingEngine::find_session(const std::string& session_id) const {
  const auto it = session_index_.find(session_id);
  return it == session_index_.end() ? nullptr : &sessions_[it->second];
}

TrackingSession* TrackingEngine::find(const std::string& session_id) {
  return const_cast<TrackingSession*>(std::as_const(*this).find_session(session_id));
}

}  // namespace passgate::sim
