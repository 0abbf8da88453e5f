#include "drivers/tracking_client.hpp"

namespace passgate::drivers {

Result<std::unique_ptr<TrackingClient>> TrackingClient::create(boost::asio::io_context& io,
                                                               TrackingClientOptions options) {
  HttpClientOptions http_options;
  http_options.base_url = std::move(options.base_url);
  http_options.tls = std::move(options.tls);
  http_options.headers.emplace_back("X-Gate-Id", std::move(options.gate_id));
  auto http = HttpClient::create(io, std::move(http_options));
  if (!http) return make_error(http.error().code, "tracking engine: " + http.error().message);
  return std::unique_ptr<TrackingClient>(new TrackingClient(std::move(http.value())));
}

void TrackingClient::post_json(const std::string& target, const std::string& body,
                               std::chrono::milliseconds timeout, Callback done) {
  http_->request(HttpMethod::post, target, body, timeout, std::move(done));
}

void TrackingClient::get(const std::string& target, std::chrono::milliseconds timeout, Callback done) {
  http_->request(HttpMethod::get, target, {}, timeout, std::move(done));
}

}  // namespace passgate::drivers
