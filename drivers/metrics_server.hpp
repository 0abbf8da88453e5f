// MetricsServer: passgated's HTTP/1.1 listener for Prometheus and health probes
// (docs/metrics.md), on the loopback address of [metrics]:
//   GET /metrics   200, Content-Type text/plain; version=0.0.4 (MetricsEndpoints::page)
//   GET /healthz   200 "ok", or 503 "unhealthy: <reason>" (MetricsEndpoints::problem)
//   other paths    404;  other methods 405 (Allow: GET)
//   a malformed request 400, a header over kMaxHeaderBytes 431, a body over kMaxBodyBytes
//   413, each answered and then closed.
// Keep-alive. Bounded against slow or idle clients: a request's header must arrive whole
// within kHeaderTimeout of the read's start (so an idle keep-alive connection is closed
// then too), its body within kBodyTimeout, the answer be taken within kWriteTimeout; at
// kMaxConnections, the oldest connection not being answered (else the oldest of all) is
// closed to make room, so a scrape or a health check always gets in. A bad client only
// ever loses its own connection. Boost.Beast stays inside the .cpp. Single-threaded, on one io_context;
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
  static constexpr std::size_t kMaxConnections = 32;
  static constexpr std::chrono::seconds kHeaderTimeout{2};
  static constexpr std::chrono::seconds kBodyTimeout{2};
  static constexpr std::chrono::seconds kWriteTimeout{5};

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
