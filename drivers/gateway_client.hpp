// GatewayClient: the controller's PaymentGateway for the Stripe-compatible dialect
// (docs/interfaces/payment-gateway.md) over HTTPS. Each operation is one request with the form
// body of that page's "Operations", `Authorization: Bearer <key>`, and on every POST the request's
// Idempotency-Key; the reply is classified and checked against the request as in
// drivers/gateway_response.hpp. Connection reuse, deadlines, TLS verification and the one
// resend on a stale pooled connection (closed, or answering 408) are HttpClient's (safe here:
// the resend carries the same Idempotency-Key; the outcome's `sends` tells the drainer to
// count it as an attempt). A 408 on a fresh connection is classified as any answer. The API
// key, the customer and the payment method never appear in an outcome's error text.
// Replies are classified against the wall time of the Clock it is given (a Retry-After date);
// its steady time measures how long a pooled connection has been idle.
// Single-threaded, on one io_context; callbacks run on it, never inside execute(),
// search_session() or read_intent(). Destroying the client aborts requests in flight without calling
// their callbacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "ports/payment_gateway.hpp"
#include "drivers/http_client.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

// Connections kept alive for reuse: the most requests the payment drainer has open at once
// (payments.max_in_flight, 1..32).
inline constexpr std::size_t kMaxIdleConnections = 32;

struct GatewayClientOptions {
  std::string base_url = "https://api.stripe.com";  // plain http only to a loopback host
  std::string api_key;               // the secret key itself (read from its file by the caller)
  std::filesystem::path ca_bundle;   // PEM CA certificates; empty: the system's trust store
};

class GatewayClient final : public PaymentGateway {
 public:
  // Error codes: "bad_api_key" (empty, or a character that cannot go into a header; the
  // message never shows the key), and those of HttpClient::create (bad_url, insecure_url,
  // tls_config, tls_file), every message starting with "payment gateway: ".
  // `clock` (which must outlive the client) gives the wall time replies are read against, and
  // the steady time of the connection pool.
  [[nodiscard]] static Result<std::unique_ptr<GatewayClient>> create(boost::asio::io_context& io,
                                                                     GatewayClientOptions options, const Clock& clock);
  // The same, on the system's clock (common/system_clock.hpp).
  [[nodiscard]] static Result<std::unique_ptr<GatewayClient>> create(boost::asio::io_context& io,
                                                                     GatewayClientOptions options);
  ~GatewayClient() override;
  GatewayClient(const GatewayClient&) = delete;
  GatewayClient& operator=(const GatewayClient&) = delete;

  // Why `api_key` cannot be sent ("bad_api_key", as create(); the message never shows the
  // key), or ok.
  [[nodiscard]] static Status check_api_key(const std::string& api_key);
  // A config reload: the key for every request sent from now on (REQUIRES: check_api_key
  // passes). True when it differs from the key in use.
  bool set_api_key(std::string api_key);
  // The gateway account the key in use opens (crypto::gateway_account_id of the base URL and
  // the key): payment operations begun with one account are never sent to another.
  [[nodiscard]] Result<std::string> account_id() const;
  // The account `api_key` would open at this client's base URL.
  [[nodiscard]] Result<std::string> account_id_with(const std::string& api_key) const;

  // An incomplete request (see payment_http_request) is not sent: `done` gets `rejected`.
  void execute(const PaymentRequest& request, std::chrono::milliseconds timeout,
               Callback done) override;
  // A session id that cannot be quoted in the search query is not sent: `rejected`.
  void search_session(const std::string& session_id, std::chrono::milliseconds timeout, Callback done) override;
  // GET /v1/payment_intents/{intent_id} (strongly consistent, unlike the search, whose index
  // may lag): the answer checked as drivers/gateway_response.hpp's classify_read_reply says.
  // An id that cannot be put in the path is not sent: `rejected`.
  void read_intent(const std::string& session_id, const std::string& intent_id, std::chrono::milliseconds timeout,
                   Callback done) override;

 private:
  struct Lifetime {};  // expires with the client: posted rejections check it
  GatewayClient(boost::asio::io_context& io, std::string base_url, std::string api_key,
                std::unique_ptr<HttpClient> http, const Clock& clock);
  // Adds the Authorization header with the key in use.
  void authorize(HttpRequestSpec& spec) const;
  // Calls `done` soon, on the loop, with a rejected outcome saying `why`.
  void reject_soon(const Error& why, Callback done);

  boost::asio::io_context& io_;
  std::string base_url_;
  std::string api_key_;
  std::unique_ptr<HttpClient> http_;
  const Clock& clock_;
  std::shared_ptr<Lifetime> lifetime_ = std::make_shared<Lifetime>();
};

}  // namespace passgate::drivers
