// MetricsServer: passgated's HTTP/1.1 listener for Prometheus and health probes
// (docs/metrics.md), on the loopback address of [metrics]:
//   GET /metrics   200, Content-Type text/plain; version=0.0.4 (MetricsEndpoints::page)
//   GET /healthz   200 "ok", or 503 "unhealthy: <reason>" (MetricsEndpoints::problem)
//   other paths    404;  other methods 405 (Allow: GET)
//   a malformed request 400, a header over kMaxHeaderBytes 431, a body over kMaxBodyBytes
//   413, each answered and then closed.
// Keep-alive; every read and write has a deadline of kIoTimeout; at most kMaxConnections at
// once (further ones are closed as they are accepted). A bad client only ever loses its own
// connection. Boost.Beast stays inside the .cpp. Single-threaded, on one io_context;
// destroying it closes everything and the endpoints are never called afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

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
  static constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
  static constexpr std::size_t kMaxBodyBytes = 4 * 1024;
  static constexpr std::size_t kMaxConnections = 8;
  static constexpr std::chrono::seconds kIoTimeout{10};

  // Listens on `address` (an IP address) and `port` (0: any free port; port() says which)
  // and logs event=metrics_listening with both. Error code "listen_failed".
  [[nodiscard]] static Result<std::unique_ptr<MetricsServer>> open(boost::asio::io_context& io,
                                                                   const std::string& address, std::uint16_t port,
                                                                   MetricsEndpoints endpoints);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;

  struct Core;  // shared with the open connections; defined in the .cpp

 private:
  explicit MetricsServer(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  std::shared_ptr<Core> core_;
};

}  // namespace passgate::drivers
