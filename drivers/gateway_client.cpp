#include "drivers/gateway_client.hpp"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/system_clock.hpp"
#include "crypto/key_fingerprint.hpp"
#include "drivers/gateway_http.hpp"
#include "drivers/gateway_request.hpp"
#include "drivers/gateway_response.hpp"

namespace passgate::drivers {


Result<std::unique_ptr<GatewayClient>> GatewayClient::create(boost::asio::io_context& io,
                                                             GatewayClientOptions options) {
  return create(io, std::move(options), system_clock());
}

Result<std::unique_ptr<GatewayClient>> GatewayClient::create(boost::asio::io_context& io,
                                                             GatewayClientOptions options, const Clock& clock) {
  if (auto checked = check_api_key(options.api_key); !checked.ok()) return checked.error();
  HttpClientOptions http_options;
  http_options.base_url = options.base_url;
  std::string base_url = options.base_url;
  http_options.tls.ca_bundle = options.ca_bundle;
  // Every connection the drainer keeps busy is kept for reuse (payments.max_in_flight is at
  // most 32), so a wide drain does not pay a TCP and TLS handshake per request.
  http_options.max_idle_connections = kMaxIdleConnections;
  http_options.clock = &clock;  // the pool's idle ages too
  auto http = HttpClient::create(io, std::move(http_options));
  if (!http) return make_error(http.error().code, "payment gateway: " + http.error().message);
  return std::unique_ptr<GatewayClient>(
      new GatewayClient(io, std::move(base_url), std::move(options.api_key), std::move(http.value()), clock));
}

GatewayClient::GatewayClient(boost::asio::io_context& io, std::string base_url, std::string api_key,
                             std::unique_ptr<HttpClient> http, const Clock& clock)
    : io_(io), base_url_(std::move(base_url)), api_key_(std::move(api_key)), http_(std::move(http)), clock_(clock) {}

Result<std::string> GatewayClient::account_id() const { return account_id_with(api_key_); }

Result<std::string> GatewayClient::account_id_with(const std::string& api_key) const {
  return crypto::gateway_account_id(base_url_, api_key);
}

GatewayClient::~GatewayClient() = default;

Status GatewayClient::check_api_key(const std::string& api_key) {
  if (auto problem = api_key_problem(api_key); !problem.empty()) {
    return make_error("bad_api_key", "payment gateway: " + problem);
  }
  return {};
}

bool GatewayClient::set_api_key(std::string api_key) {
  if (api_key == api_key_) return false;
  api_key_ = std::move(api_key);
  return true;
}

void GatewayClient::authorize(HttpRequestSpec& spec) const {
  spec.headers.emplace_back("Authorization", "Bearer " + api_key_);
}

void GatewayClient::execute(const PaymentRequest& request, std::chrono::milliseconds timeout,
                            Callback done) {
  auto spec = payment_http_request(request);
  if (!spec) return reject_soon(spec.error(), std::move(done));
  authorize(*spec);
  // The callback runs only while http_ (and so this client) is alive.
  http_->request(std::move(spec.value()), timeout,
                 [key = api_key_, request, clock = &clock_, done = std::move(done)](const HttpReply& reply) {
                   // What the outcome's texts (which reach the log) must not contain: a gateway
                   // echoes ids in its messages ("No such payment_intent: 'pi_...'").
                   auto outcome = classify_payment_reply(reply, request,
                                                         {key, request.customer, request.payment_method,
                                                          request.intent_id, request.idempotency_key},
                                                         clock->wall_now());
                   done(std::move(outcome));  // last: it may destroy this client
                 });
}

void GatewayClient::search_session(const std::string& session_id, std::chrono::milliseconds timeout, Callback done) {
  auto spec = search_http_request(session_id);
  if (!spec) return reject_soon(spec.error(), std::move(done));
  authorize(*spec);
  http_->request(std::move(spec.value()), timeout,
                 [key = api_key_, clock = &clock_, done = std::move(done)](const HttpReply& reply) {
    auto outcome = classify_search_reply(reply, {key}, clock->wall_now());
    done(std::move(outcome));  // last: it may destroy this client
  });
}

void GatewayClient::read_intent(const std::string& session_id, const std::string& intent_id,
                                std::chrono::milliseconds timeout, Callback done) {
  auto spec = intent_read_http_request(intent_id);
  if (!spec) return reject_soon(spec.error(), std::move(done));
  authorize(*spec);
  http_->request(std::move(spec.value()), timeout,
                 [key = api_key_, session_id, intent_id, clock = &clock_, done = std::move(done)](const HttpReply& reply) {
                   // (A gateway echoes the id in its messages: "No such payment_intent: 'pi_...'".)
                   auto outcome = classify_read_reply(reply, session_id, intent_id, {key, intent_id}, clock->wall_now());
                   done(std::move(outcome));  // last: it may destroy this client
                 });
}

void GatewayClient::reject_soon(const Error& why, Callback done) {
  PaymentOutcome outcome;
  outcome.kind = PaymentOutcomeKind::rejected;
  outcome.error = why.message;
  boost::asio::post(io_, [alive = std::weak_ptr<Lifetime>(lifetime_), outcome = std::move(outcome),
                          done = std::move(done)]() mutable {
    if (alive.expired()) return;
    done(std::move(outcome));
  });
}

}  // namespace passgate::drivers
