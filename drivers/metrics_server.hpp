// MetricsServer: passgated's HTTP/1.1 listener for Prometheus and health probes
// (docs/metrics.md), on the loopback address of [metrics]:
//   GET /metrics   200, Content-Type text/plain; version=0.0.4 (MetricsEndpoints::page)
//   GET /healthz   200 "ok", or 503 "unhealthy: <reason>" (MetricsEndpoints::problem)
//   other paths    404;  other methods 405 (Allow: GET)
// Keep-alive, bounded against slow or idle clients by the shared listener
// (drivers/http_listener.hpp) with its default limits, named here kMax*/k*Timeout: a bad
// client only ever loses its own connection, and a scrape or a health check always gets in.
// Single-threaded, on one io_context; destroying it closes everything and the endpoints are
// never called afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "drivers/http_listener.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

struct MetricsEndpoints {
  std::function<std::string()> page;                      // the metrics, exposition format 0.0.4
  std::function<std::optional<std::string>()> problem;    // empty: healthy; else why not
};

class MetricsServer {
 public:
  static constexpr std::size_t kMaxHeaderBytes = HttpLimits{}.max_header_bytes;
  static constexpr std::size_t kMaxBodyBytes = HttpLimits{}.max_body_bytes;
  static constexpr std::size_t kMaxConnections = HttpLimits{}.max_connections;
  static constexpr std::chrono::milliseconds kHeaderTimeout = HttpLimits{}.header_timeout;
  static constexpr std::chrono::milliseconds kBodyTimeout = HttpLimits{}.body_timeout;
  static constexpr std::chrono::milliseconds kWriteTimeout = HttpLimits{}.write_timeout;

  // Listens on `address` (an IP address) and `port` (0: any free port; port() says which)
  // and logs event=metrics_listening with both. Error code "listen_failed".
  [[nodiscard]] static Result<std::unique_ptr<MetricsServer>> open(boost::asio::io_context& io,
                                                                   const std::string& address, std::uint16_t port,
                                                                   MetricsEndpoints endpoints);
  ~MetricsServer() = default;
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return listener_->port(); }

 private:
  explicit MetricsServer(std::unique_ptr<HttpListener> listener) : listener_(std::move(listener)) {}
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace passgate::drivers
