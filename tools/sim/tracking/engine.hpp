// TrackingEngine: the tracking engine's server side (docs/interfaces/tracking-engine.md) as an
// in-memory model, without any networking: sessions, passages, cancels, carts and the
// final-carts feed, with the contract's status codes and idempotency rules, and strict checks
// of every request body so a gate bug shows up as a 400 naming the field. TrackingServer
// puts it behind HTTP; tests may also drive it directly. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace passgate::sim {

enum class TrackingSessionState { open, final, cancelled };
[[nodiscard]] const char* to_string(TrackingSessionState state);

struct CartItem {
  std::string sku;
  std::string name;
  std::int64_t qty = 0;
  std::int64_t unit_minor = 0;
};

struct TrackingSession {
  std::string session_id;
  std::string store_id;
  std::string gate_id;
  int lane = 0;
  std::string shopper;
  int group_size = 0;
  std::string admitted_at;
  TrackingSessionState state = TrackingSessionState::open;
  std::string cancel_reason;  // set when cancelled
  // The cart, final once finalized.
  std::string currency = "USD";
  std::vector<CartItem> items;
  std::string finalized_at;  // RFC 3339 ms, set when final
  // Non-empty: the JSON the feed publishes as total_minor instead of the items' sum, to play
  // a hostile engine (a huge, negative, fractional or string total).
  std::string published_total;
};

struct TrackingPassage {
  std::string passage_id;
  std::string store_id;
  std::string gate_id;
  int lane = 0;
  std::string direction;  // in | out
  std::string kind;       // admitted | exit | tailgate | forced | wrong_way
  std::optional<std::string> session_id;
  std::string at;
};

// The sum of qty * unit_minor over the session's cart.
[[nodiscard]] std::int64_t cart_total_minor(const TrackingSession& session);

// One API request as the HTTP layer received it.
struct ApiRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query, e.g. "/v1/carts?store_id=s&gate_id=g"
  std::optional<std::string> gate_id;  // the X-Gate-Id header
  std::string body;
};

struct ApiReply {
  int status = 0;
  std::string body;     // JSON
  std::string subject;  // the session or passage id the request was about, for logs
};

class TrackingEngine {
 public:
  [[nodiscard]] ApiReply handle(const ApiRequest& request);

  // POST /v1/sessions answers 403 {"error":"shopper_blocked"} for a blocked shopper.
  void block_shopper(const std::string& shopper) { blocked_.insert(shopper); }
  void unblock_shopper(const std::string& shopper) { blocked_.erase(shopper); }
  [[nodiscard]] const std::set<std::string>& blocked_shoppers() const { return blocked_; }

  // What the cameras saw: closes an open session's cart and adds it to the final-carts
  // feed. Error codes: "not_found" (unknown session), "conflict" (not open),
  // "bad_request" (negative qty or price). The currency is published as given (any text, to
  // play a hostile engine); `published_total`, if not empty, is a JSON value published as the
  // cart's total_minor (TrackingSession::published_total).
  [[nodiscard]] Status finalize_cart(const std::string& session_id, const std::string& currency,
                                     std::vector<CartItem> items, std::string published_total = {});

  // Called with every new passage once it is recorded (not for a repeated passage_id).
  void set_passage_observer(std::function<void(const TrackingPassage&)> observer) {
    passage_observer_ = std::move(observer);
  }

  // In the order they were opened / first received (duplicates not repeated).
  [[nodiscard]] const std::vector<TrackingSession>& sessions() const { return sessions_; }
  [[nodiscard]] const std::vector<TrackingPassage>& passages() const { return passages_; }
  [[nodiscard]] const TrackingSession* find_session(const std::string& session_id) const;
  // Passage reports that repeated a known passage_id.
  [[nodiscard]] std::size_t duplicate_passages() const { return duplicate_passages_; }

 private:
  ApiReply open_session(const ApiRequest& request);
  ApiReply report_passage(const ApiRequest& request);
  ApiReply cancel_session(const ApiRequest& request, const std::string& session_id);
  ApiReply final_carts(const ApiRequest& request, const std::string& query);
  ApiReply one_cart(const std::string& session_id) const;
  TrackingSession* find(const std::string& session_id);

  std::vector<TrackingSession> sessions_;
  std::unordered_map<std::string, std::size_t> session_index_;
  std::unordered_map<std::string, std::string> session_requests_;  // id -> canonical body
  std::vector<TrackingPassage> passages_;
  std::unordered_map<std::string, std::size_t> passage_index_;
  std::size_t duplicate_passages_ = 0;
  std::vector<std::string> finalized_;  // the final-carts feed: session ids, oldest first
  std::set<std::string> blocked_;
  std::function<void(const TrackingPassage&)> passage_observer_;
};

}  // namespace passgate::sim
