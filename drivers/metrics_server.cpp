#include "drivers/metrics_server.hpp"

#include <string_view>
#include <utility>

#include "common/metrics_text.hpp"

namespace passgate::drivers {

namespace {

HttpAnswer metrics_answer(const MetricsEndpoints& endpoints, const HttpRequest& request) {
  const bool known = request.path == "/metrics" || request.path == "/healthz";
  if (!known) return plain_answer(404, "not found; try /metrics or /healthz\n");
  if (request.method != "GET") {
    auto answer = plain_answer(405, "only GET\n");
    answer.headers.emplace_back("Allow", "GET");
    return answer;
  }
  if (request.path == "/metrics") {
    HttpAnswer answer = plain_answer(200, endpoints.page());
    answer.content_type = std::string(prometheus::kTextContentType);
    return answer;
  }
  if (const auto problem = endpoints.problem()) return plain_answer(503, "unhealthy: " + *problem + "\n");
  return plain_answer(200, "ok\n");
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::open(boost::asio::io_context& io, const std::string& address,
                                                           std::uint16_t port, MetricsEndpoints endpoints) {
  HttpListenerOptions options;
  options.name = "metrics";
  options.address = address;
  options.port = port;
  auto listener = HttpListener::open(io, std::move(options),
                                     [endpoints = std::move(endpoints)](const HttpRequest& request) {
                                       return metrics_answer(endpoints, request);
                                     });
  if (!listener.ok()) return listener.error();
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(*listener)));
}

}  // namespace passgate::drivers
