// TerminalClient: the controller's PaymentTerminal for Stripe Terminal's server-driven
// dialect (docs/interfaces/payment-terminal.md) over HTTPS: gate -> API -> reader. Every
// request carries `Authorization: Bearer <key>` and `Stripe-Version`, every POST its step's
// Idempotency-Key (drivers/terminal_request.hpp); every answer is bounded (64 KiB of body)
// and checked against the call before it is believed (drivers/terminal_response.hpp).
// Requests have the request time limit (10 s by default); a connection that cannot be made
// within the connect limit (3 s) ends the request early as unknown (drivers/connect_probe.hpp).
// The API key, the customer, the PaymentIntent id, the card's fingerprint and payment method
// never appear in an outcome's text.
// Single-threaded, on one io_context; callbacks run on it, never inside a call. Destroying
// the client aborts requests in flight without calling their callbacks.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "ports/payment_terminal.hpp"
#include "drivers/http_client.hpp"
#include "drivers/terminal_request.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

// The API version the client is written against (reader actions' api_error); config can pin another.
inline constexpr std::string_view kDefaultStripeVersion = "2026-05-27.dahlia";
// The most bytes of body an answer may have: a reader or a PaymentIntent with its charge.
inline constexpr std::size_t kMaxTerminalAnswerBytes = 64 * 1024;

struct TerminalClientOptions {
  std::string base_url = "https://api.stripe.com";  // plain http only to a loopback host
  std::string api_key;                  // the secret key itself (read from its file by the caller)
  std::filesystem::path ca_bundle;      // PEM CA certificates; empty: the system's trust store
  std::string stripe_version = std::string(kDefaultStripeVersion);
  std::chrono::milliseconds request_timeout{10000};  // each request, connect to last byte
  std::chrono::milliseconds connect_timeout{3000};   // making a new connection
};

class TerminalClient final : public PaymentTerminal {
 public:
  // Error codes: "bad_api_key" (as GatewayClient's; the message never shows the key),
  // "bad_stripe_version" (empty, a space or a control character), "bad_timeout" (not
  // positive, or a connect limit above the request's), and those of HttpClient::create,
  // every message starting with "payment terminal: ". `clock` must outlive the client.
  [[nodiscard]] static Result<std::unique_ptr<TerminalClient>> create(boost::asio::io_context& io,
                                                                      TerminalClientOptions options,
                                                                      const Clock& clock);
  [[nodiscard]] static Result<std::unique_ptr<TerminalClient>> create(boost::asio::io_context& io,
                                                                      TerminalClientOptions options);
  ~TerminalClient() override;
  TerminalClient(const TerminalClient&) = delete;
  TerminalClient& operator=(const TerminalClient&) = delete;

  // A config reload: the key for every request sent from now on (REQUIRES: it passes
  // GatewayClient::check_api_key). True when it differs from the key in use.
  bool set_api_key(std::string api_key);

  // An attempt that lacks what a step needs is not sent: `done` gets `rejected`.
  void create_customer(const TerminalAttempt& attempt, Callback done) override;
  void create_hold(const TerminalAttempt& attempt, Callback done) override;
  void collect(const TerminalAttempt& attempt, Callback done) override;
  void confirm(const TerminalAttempt& attempt, Callback done) override;
  void process(const TerminalAttempt& attempt, Callback done) override;
  void cancel_action(const TerminalAttempt& attempt, Callback done) override;
  void read_reader(const TerminalAttempt& attempt, Callback done) override;
  void read_intent(const TerminalAttempt& attempt, Callback done) override;
  void void_intent(const TerminalAttempt& attempt, Callback done) override;
  void increment(const TerminalAttempt& attempt, std::int64_t amount_minor, Callback done) override;

  struct Parts;  // defined in terminal_client.cpp

 private:
  explicit TerminalClient(std::unique_ptr<Parts> parts);
  void send(TerminalCall call, Callback done);

  std::unique_ptr<Parts> parts_;
};

}  // namespace passgate::drivers
