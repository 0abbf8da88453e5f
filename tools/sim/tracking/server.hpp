// TrackingServer: the tracking-engine simulator as a server on loopback, usable in-process
// (tests, the lead's scenario tests) and by `passgate-sim tracking`. Two listeners:
//  - the API port (plain HTTP or TLS, optionally requiring client certificates) serving
//    docs/interfaces/tracking-engine.md from a TrackingEngine;
//  - the control port (plain HTTP, loopback) for scripts:
//      POST /control/fault    {"mode":"none|unreachable|slow|error5xx","delay_ms":N}
//      POST /control/block    {"shopper":"shp_x"}   POST /control/unblock {"shopper":"shp_x"}
//      POST /control/finalize {"session_id":…,"currency":"USD",
//                              "items":[{"sku":…,"name":…,"qty":N,"unit_minor":N}]}
//      GET  /control/state    sessions (a final one with its cart's currency and total_minor),
//                             passages (in order), blocked shoppers, fault, auto_finalize
//                             (null when off), counts
// Faults apply to the API port only: unreachable (refuse and drop connections), slow (every
// answer delayed, after the request took effect), error5xx (503, nothing takes effect).
// With `auto_finalize` set, an AutoFinalizer finalizes each session's cart a while after its
// first admitted passage (tracking_auto_finalizer.hpp).
// Single-threaded, on the caller's io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio_time.hpp"
#include "common/result.hpp"
#include "drivers/tls_context.hpp"
#include "tools/sim/tracking/auto_finalizer.hpp"
#include "tools/sim/tracking/engine.hpp"
#include "tools/sim/tracking/http_listener.hpp"

namespace passgate::sim {

enum class TrackingFaultMode { none, unreachable, slow, error5xx };
[[nodiscard]] const char* to_string(TrackingFaultMode mode);
[[nodiscard]] std::optional<TrackingFaultMode> parse_tracking_fault_mode(std::string_view text);

struct TrackingServerFault {
  TrackingFaultMode mode = TrackingFaultMode::none;
  std::chrono::milliseconds delay{0};  // slow only, > 0
};

// One answered request, for the request log. `subject` is the session or passage id.
struct TrackingRequestLog {
  bool control = false;  // the control port, not the API
  std::string method;
  std::string path;  // without the query
  int status = 0;
  std::string subject;
};

struct TrackingServerOptions {
  std::uint16_t port = 0;          // 0: any free port
  std::uint16_t control_port = 0;  // 0: any free port
  std::optional<drivers::TlsServerFiles> tls;  // set: the API port speaks TLS
  std::vector<std::string> blocked_shoppers;
  std::function<void(const TrackingRequestLog&)> on_request;  // after every answer
  std::optional<AutoFinalizeSettings> auto_finalize;  // set: carts finalize by themselves
  std::function<void(const AutoFinalizeLog&)> on_auto_finalize;  // after each of them
};

class TrackingServer {
 public:
  // Error codes: "listen_failed", and make_tls_server_context's.
  [[nodiscard]] static Result<std::unique_ptr<TrackingServer>> create(boost::asio::io_context& io,
                                                                      TrackingServerOptions options);
  TrackingServer(const TrackingServer&) = delete;
  TrackingServer& operator=(const TrackingServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return api_->port(); }
  [[nodiscard]] std::uint16_t control_port() const { return control_->port(); }

  // Error codes: "bad_fault" (delay given for a mode other than slow, or slow without
  // one), "listen_failed" (leaving unreachable, the API port could not be reopened).
  [[nodiscard]] Status set_fault(TrackingServerFault fault);
  [[nodiscard]] TrackingServerFault fault() const { return fault_; }

  void block_shopper(const std::string& shopper) { engine_.block_shopper(shopper); }
  [[nodiscard]] const std::vector<TrackingSession>& sessions() const { return engine_.sessions(); }
  [[nodiscard]] const std::vector<TrackingPassage>& passages() const { return engine_.passages(); }
  [[nodiscard]] TrackingEngine& engine() { return engine_; }

  // Connections accepted on the API port so far.
  [[nodiscard]] std::size_t connections_accepted() const { return api_->connections_accepted(); }
  // Closes every API connection, like a server ending idle keep-alive connections.
  void drop_connections() { api_->drop_connections(); }
  // GET /control/state's body.
  [[nodiscard]] std::string state_json() const;

 private:
  explicit TrackingServer(TrackingServerOptions options);
  HttpAnswer on_api(const HttpCall& call);
  HttpAnswer on_control(const HttpCall& call);
  HttpAnswer control_fault(const std::string& body);
  HttpAnswer control_shopper(const std::string& body, bool block);
  HttpAnswer control_finalize(const std::string& body);
  void log(bool control, const HttpCall& call, int status, const std::string& subject) const;

  TrackingServerOptions options_;
  TrackingEngine engine_;
  TrackingServerFault fault_;
  std::unique_ptr<AsioTime> time_;            // auto_finalize only
  std::unique_ptr<AutoFinalizer> finalizer_;  // destroyed before time_ and engine_
  std::unique_ptr<HttpListener> api_;      // destroyed before engine_: its handler uses it
  std::unique_ptr<HttpListener> control_;
};

}  // namespace passgate::sim
