#include "drivers/terminal_client.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/system_clock.hpp"
#include "drivers/connect_probe.hpp"
#include "drivers/gateway_http.hpp"
#include "drivers/terminal_response.hpp"

namespace passgate::drivers {

struct TerminalClient::Parts {
  boost::asio::io_context& io;
  std::string api_key;
  std::string stripe_version;
  std::chrono::milliseconds request_timeout;
  std::chrono::milliseconds connect_timeout;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<ConnectProbe> probe;
  const Clock& clock;
  std::shared_ptr<int> alive = std::make_shared<int>(0);  // expires with the client
};

namespace {

Error terminal_error(const std::string& code, const std::string& message) {
  return make_error(code, "payment terminal: " + message);
}

Status check_options(const TerminalClientOptions& options) {
  if (auto problem = api_key_problem(options.api_key); !problem.empty()) return terminal_error("bad_api_key", problem);
  if (options.stripe_version.empty() || first_unprintable(options.stripe_version))
    return terminal_error("bad_stripe_version", "the Stripe-Version is empty or has a space or control character");
  if (options.request_timeout.count() <= 0 || options.connect_timeout.count() <= 0 ||
      options.connect_timeout > options.request_timeout) {
    return terminal_error("bad_timeout", "the connect limit (" + std::to_string(options.connect_timeout.count()) +
                                             " ms) must be positive and at most the request limit (" +
                                             std::to_string(options.request_timeout.count()) + " ms)");
  }
  return {};
}

// An outcome for a call that was never sent.
TerminalOutcome unsent(TerminalOutcomeKind kind, std::string why) {
  TerminalOutcome outcome;
  outcome.kind = kind;
  outcome.error = std::move(why);
  return outcome;
}

}  // namespace

Result<std::unique_ptr<TerminalClient>> TerminalClient::create(boost::asio::io_context& io,
                                                               TerminalClientOptions options) {
  return create(io, std::move(options), system_clock());
}

Result<std::unique_ptr<TerminalClient>> TerminalClient::create(boost::asio::io_context& io,
                                                               TerminalClientOptions options, const Clock& clock) {
  if (auto checked = check_options(options); !checked.ok()) return checked.error();
  HttpClientOptions http_options;
  http_options.base_url = options.base_url;
  http_options.tls.ca_bundle = options.ca_bundle;
  http_options.clock = &clock;
  http_options.max_body_bytes = kMaxTerminalAnswerBytes;
  auto http = HttpClient::create(io, std::move(http_options));
  if (!http) return terminal_error(http.error().code, http.error().message);
  auto probe = ConnectProbe::create(io, options.base_url);
  if (!probe) return terminal_error(probe.error().code, probe.error().message);
  return std::unique_ptr<TerminalClient>(new TerminalClient(std::unique_ptr<Parts>(
      new Parts{io, std::move(options.api_key), std::move(options.stripe_version), options.request_timeout,
                options.connect_timeout, std::move(http.value()), std::move(probe.value()), clock})));
}

TerminalClient::TerminalClient(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

TerminalClient::~TerminalClient() = default;

bool TerminalClient::set_api_key(std::string api_key) {
  if (api_key == parts_->api_key) return false;
  parts_->api_key = std::move(api_key);
  return true;
}

void TerminalClient::send(TerminalCall call, Callback done) {
  auto spec = terminal_http_request(call);
  if (!spec) {
    boost::asio::post(parts_->io, [alive = std::weak_ptr<int>(parts_->alive),
                                   outcome = unsent(TerminalOutcomeKind::rejected, spec.error().message),
                                   done = std::move(done)]() mutable {
      if (!alive.expired()) done(std::move(outcome));
    });
    return;
  }
  spec->headers.emplace_back("Authorization", "Bearer " + parts_->api_key);
  spec->headers.emplace_back("Stripe-Version", parts_->stripe_version);
  Parts* parts = parts_.get();
  // The call and its callback, shared by the probe's and the request's handlers; both run
  // only while the client is alive (HttpClient and ConnectProbe never call back after it).
  auto pending = std::make_shared<std::pair<TerminalCall, Callback>>(std::move(call), std::move(done));
  auto ask = [parts, pending](HttpRequestSpec request, std::chrono::milliseconds timeout) {
    parts->http->request(std::move(request), timeout, [parts, pending, key = parts->api_key](const HttpReply& reply) {
      const auto& [asked, callback] = *pending;
      const std::string idempotency_key = terminal_idempotency_key(asked.step, asked.attempt);
      auto outcome = classify_terminal_reply(
          reply, asked, {key, asked.attempt.customer, asked.attempt.intent_id, idempotency_key}, parts->clock.wall_now());
      auto last = std::move(pending->second);
      last(std::move(outcome));  // last: it may destroy this client
    });
  };
  if (parts->http->idle_connections() > 0) return ask(std::move(spec.value()), parts->request_timeout);
  // A new connection will be needed: making it is bounded by the connect limit first.
  const SteadyTime started = parts->clock.steady_now();
  parts->probe->probe(parts->connect_timeout,
                      [parts, pending, started, ask, request = std::move(spec.value())](Status reachable) mutable {
                        if (!reachable) {
                          auto last = std::move(pending->second);
                          last(unsent(TerminalOutcomeKind::unknown,
                                      "no response, nothing sent: " + reachable.error().message));
                          return;
                        }
                        const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
                            parts->clock.steady_now() - started);
                        ask(std::move(request),
                            std::max(parts->request_timeout - spent, std::chrono::milliseconds(1)));
                      });
}

void TerminalClient::create_customer(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::create_customer, attempt}, std::move(done));
}
void TerminalClient::create_hold(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::create_hold, attempt}, std::move(done));
}
void TerminalClient::collect(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::collect, attempt}, std::move(done));
}
void TerminalClient::confirm(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::confirm, attempt}, std::move(done));
}
void TerminalClient::process(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::process, attempt}, std::move(done));
}
void TerminalClient::cancel_action(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::cancel_action, attempt}, std::move(done));
}
void TerminalClient::read_reader(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::read_reader, attempt}, std::move(done));
}
void TerminalClient::read_intent(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::read_intent, attempt}, std::move(done));
}
void TerminalClient::void_intent(const TerminalAttempt& attempt, Callback done) {
  send({TerminalStep::void_intent, attempt}, std::move(done));
}
void TerminalClient::increment(const TerminalAttempt& attempt, std::int64_t amount_minor, Callback done) {
  send({TerminalStep::increment, attempt, amount_minor}, std::move(done));
}

}  // namespace passgate::drivers
