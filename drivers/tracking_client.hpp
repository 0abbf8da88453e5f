// TrackingClient: the controller's TrackingPort over HTTP(S) to the store's tracking
// engine (docs/interfaces/tracking-engine.md). Adds X-Gate-Id to every request; connection reuse,
// deadlines, TLS and the retry rule are HttpClient's. Single-threaded, on one io_context.
// Destroying it aborts requests in flight without calling their callbacks.
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "ports/tracking_port.hpp"
#include "drivers/http_client.hpp"
#include "drivers/tls_context.hpp"

namespace passgate::drivers {

// Where the tracking engine is and how to reach it (the config's [tracking], less its timeouts,
// which the callers pass with each request).
struct TrackingClientOptions {
  std::string base_url;   // http://127.0.0.1:8080 (loopback only) or https://...
  TlsClientFiles tls;     // CA bundle and client certificate of https
  std::string gate_id;    // sent as X-Gate-Id with every request
};

class TrackingClient final : public TrackingPort {
 public:
  // Error codes: those of HttpClient::create (bad_url, insecure_url, tls_config, tls_file).
  [[nodiscard]] static Result<std::unique_ptr<TrackingClient>> create(
      boost::asio::io_context& io, TrackingClientOptions options);

  void post_json(const std::string& target, const std::string& body, std::chrono::milliseconds timeout,
                 Callback done) override;
  void get(const std::string& target, std::chrono::milliseconds timeout, Callback done) override;

 private:
  explicit TrackingClient(std::unique_ptr<HttpClient> http) : http_(std::move(http)) {}
  std::unique_ptr<HttpClient> http_;
};

}  // namespace passgate::drivers
