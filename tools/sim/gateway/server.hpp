// GatewayServer: the payment-gateway simulator as a server on loopback, usable in-process
// (tests, benchmarks) and by `passgate-sim gateway`. Two listeners:
//  - the API port (plain HTTP or TLS) serving docs/interfaces/payment-gateway.md from a GatewayLedger;
//  - the control port (plain HTTP, loopback, JSON) for scripts:
//      POST /control/fault        {"mode":"none|unreachable|slow|error5xx|rate_limit|drop_response|lie",
//                                  "delay_ms":N, "retry_after_s":N, "count":N,
//                                  "lie":"amount|currency|session|intent_id|status_299"}
//                                 -> the fault now in force (see fault_json())
//      POST /control/forget_keys  -> {"forgotten":N}: every stored Idempotency-Key dropped
//      GET  /control/ledger       -> ledger_report_json() plus "requests", "fault", "stored_keys",
//                                    "drop_next_post"
//      POST /control/readers/{reader}  {"fault":"<TerminalFault>","delay_ms":N (fault delay_ms only)}
//                                 -> reader_faults_json()
//      POST /control/readers/{reader}/tap  {"card":"<test card number>"} (default 4242424242424242)
//                                 -> the simulated shopper's tap, through the test helper
//                                    (present_payment_method): its status and the reader
// Faults apply to the API port only, optionally to the next `count` API requests only (then
// back to none): unreachable (refuse and drop connections), slow (the request takes effect,
// its answer comes `delay` later; meanwhile its Idempotency-Key is in progress: 409 to
// others), error5xx (503, nothing takes effect), rate_limit (429, with Retry-After when
// retry_after is set, nothing takes effect), drop_response (the request takes effect, then
// the connection is closed without an answer: the double-charge case), lie (the request
// takes effect, then its 200 PaymentIntent answer misstates one thing: `amount` every amount
// is 1, `currency` jpy (usd for a jpy intent), `session` another metadata[session_id],
// `intent_id` another id (noticed on capture and void), `status_299` HTTP 299 instead of 200;
// other answers are left alone: the hostile-gateway case).
// The Terminal readers (GatewayServerOptions::readers) take the simulator-only faults of
// docs/card-tap-simulator.md (TerminalFault), set on the API port by
// POST /_sim/readers/{reader} (form fields fault=, delay_ms=; the API key is needed) or on
// the control port as above. Reader faults act on that reader (TerminalDesk); three are
// API-wide: drop_response (the next POST runs, then its connection is reset), delay_ms
// (fault slow with that delay, until none) and api_down (fault error5xx, until none);
// fault none clears the reader's faults and the API-wide ones. /_sim/ requests and the test
// helpers (/v1/test_helpers/: the simulated shopper's tap) are never faulted.
// Single-threaded, on the caller's io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "drivers/tls_context.hpp"
#include "tools/sim/gateway/ledger.hpp"
#include "tools/sim/gateway/reader_state.hpp"
#include "tools/sim/tracking/http_listener.hpp"

namespace passgate::sim {

enum class GatewayFaultMode { none, unreachable, slow, error5xx, rate_limit, drop_response, lie };
[[nodiscard]] const char* to_string(GatewayFaultMode mode);
[[nodiscard]] std::optional<GatewayFaultMode> parse_gateway_fault_mode(std::string_view text);

// What fault lie misstates in a 200 PaymentIntent answer (see the header).
enum class GatewayLie { amount, currency, session, intent_id, status_299 };
[[nodiscard]] const char* to_string(GatewayLie lie);
[[nodiscard]] std::optional<GatewayLie> parse_gateway_lie(std::string_view text);

struct GatewayFault {
  GatewayFaultMode mode = GatewayFaultMode::none;
  std::chrono::milliseconds delay{0};               // slow only, > 0
  std::optional<std::chrono::seconds> retry_after;  // rate_limit only: the Retry-After header
  std::optional<std::size_t> count;  // set (> 0): only the next N API requests, then none;
                                     // not for none or unreachable. fault() gives what is left.
  std::optional<GatewayLie> lie{};   // lie only, and required there ({}: brace-initializers may stop before it)
};

// API requests since start. `total` counts every request that arrived (faulted ones too).
struct GatewayRequestCounts {
  std::size_t total = 0;
  std::size_t replayed = 0;   // answered from a stored response
  std::size_t conflicts = 0;  // 409: the key's first request still in progress
  std::size_t faulted = 0;    // answered 503 or 429 by a fault
  std::size_t rate_limited = 0;  // answered 429 above GatewayServerOptions::rate_limit_per_second
  std::size_t dropped = 0;    // executed, then closed without an answer
  std::size_t lied = 0;       // executed, then answered with a misstated PaymentIntent
};

// One answered (or dropped) request, for the request log. Never a customer or payment method.
struct GatewayRequestLog {
  bool control = false;  // the control port, not the API
  std::string method;
  std::string path;  // without the query
  int status = 0;
  std::string subject;  // the PaymentIntent, if any
  std::string note;     // "", "replayed", "fault error5xx", "fault rate_limit", "slow", "dropped"
};

struct GatewayServerOptions {
  std::uint16_t port = 0;          // 0: any free port
  std::uint16_t control_port = 0;  // 0: any free port
  std::optional<drivers::TlsServerFiles> tls;  // set: the API port speaks TLS
  std::string api_key;  // required: `Authorization: Bearer <api_key>`
  std::function<void(const GatewayRequestLog&)> on_request;  // after every answer
  // As a live account limits: more API requests than this in the last second are answered
  // 429 with Retry-After: 1, doing nothing. 0: no limit.
  int rate_limit_per_second = 0;
  // The limit's clock (a test's own); empty: std::chrono::steady_clock.
  std::function<std::chrono::steady_clock::time_point()> now;
  // The simulated Terminal readers, "tmr_…" (see TerminalDesk::add_reader).
  std::vector<std::string> readers;
};

class GatewayServer {
 public:
  // Error codes: "bad_options" (no API key, a bad or repeated reader id), "listen_failed",
  // and make_tls_server_context's.
  [[nodiscard]] static Result<std::unique_ptr<GatewayServer>> create(boost::asio::io_context& io,
                                                                     GatewayServerOptions options);
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return api_->port(); }
  [[nodiscard]] std::uint16_t control_port() const { return control_->port(); }

  // Error codes: "bad_fault" (an option that does not fit the mode: delay without slow or
  // slow without one, retry_after without rate_limit, lie without a lie or a lie without
  // lie, count 0 or with none/unreachable),
  // "listen_failed" (leaving unreachable, the API port could not be reopened).
  [[nodiscard]] Status set_fault(GatewayFault fault);
  [[nodiscard]] const GatewayFault& fault() const { return fault_; }
  // {"mode","delay_ms","retry_after_s" (null unless set),"lie" (null unless set),
  //  "remaining" (null: until changed)}
  [[nodiscard]] nlohmann::json fault_json() const;

  // Sets a TerminalFault through `reader`; `delay` only with TerminalFault::delay_ms (> 0).
  // Error codes: "no_such_reader", "bad_fault" (a delay that does not fit the fault).
  [[nodiscard]] Status set_reader_fault(const std::string& reader, TerminalFault fault,
                                        std::chrono::milliseconds delay = {});
  // {"reader","faults":[…],"api":fault_json(),"drop_next_post"}. REQUIRES: the reader exists.
  [[nodiscard]] nlohmann::json reader_faults_json(const std::string& reader) const;
  [[nodiscard]] bool drop_next_post() const { return drop_next_post_; }

  [[nodiscard]] GatewayLedger& ledger() { return ledger_; }
  [[nodiscard]] const GatewayLedger& ledger() const { return ledger_; }
  [[nodiscard]] const GatewayRequestCounts& counts() const { return counts_; }
  // Connections accepted on the API port so far.
  [[nodiscard]] std::size_t connections_accepted() const { return api_->connections_accepted(); }
  // Closes every API connection, unanswered; slow answers pending are lost (their keys are
  // no longer in progress).
  void drop_connections();
  // GET /control/ledger's body.
  [[nodiscard]] std::string ledger_json() const;

 private:
  explicit GatewayServer(GatewayServerOptions options);
  HttpAnswer on_api(const HttpCall& call);
  HttpAnswer on_control(const HttpCall& call);
  HttpAnswer control_fault(const std::string& body);
  HttpAnswer control_reader(const std::string& reader, const std::string& body);
  // POST /control/readers/{reader}/tap: the test helper's tap, for scripts and the rig's demo.
  HttpAnswer control_tap(const std::string& reader, const std::string& body);
  // POST /_sim/readers/{reader} on the API port.
  HttpAnswer sim_reader(const HttpCall& call, const std::string& reader);
  // The answer to a reader fault request, from set_reader_fault's result.
  HttpAnswer reader_fault_answer(const std::string& reader, const Status& set, bool control);
  // The fault for the API request arriving now, counting it down.
  GatewayFault take_fault();
  // Whether the API request arriving now is over rate_limit_per_second (counted if not).
  [[nodiscard]] bool over_rate_limit();
  void log(bool control, const HttpCall& call, int status, const std::string& subject, const std::string& note) const;

  GatewayServerOptions options_;
  GatewayLedger ledger_;
  GatewayFault fault_;
  GatewayRequestCounts counts_;
  bool drop_next_post_ = false;  // TerminalFault::drop_response
  std::deque<std::chrono::steady_clock::time_point> recent_;  // API requests of the last second
  std::unique_ptr<HttpListener> api_;  // destroyed before ledger_: its handler uses it
  std::unique_ptr<HttpListener> control_;
};

}  // namespace passgate::sim
