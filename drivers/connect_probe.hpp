// ConnectProbe: opens (and at once closes) one TCP connection to a base URL's host and port
// within a time limit, for a client whose requests have one overall deadline (HttpClient)
// but whose contract also bounds making a connection (the payment terminal's 3 s): before a
// request that will need a new connection, a probe that fails says "unreachable" early and
// nothing is sent. Single-threaded, on one io_context; `done` runs on it, once, never inside
// probe(). Destroying the probe abandons probes in flight without calling them back.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "common/url.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

class ConnectProbe {
 public:
  // Error code "bad_url" (as parse_base_url).
  [[nodiscard]] static Result<std::unique_ptr<ConnectProbe>> create(boost::asio::io_context& io,
                                                                    const std::string& base_url);
  ~ConnectProbe();
  ConnectProbe(const ConnectProbe&) = delete;
  ConnectProbe& operator=(const ConnectProbe&) = delete;

  // Resolves and connects within `limit`; `done` gets ok, or "cannot connect to H:P within
  // N ms" / "cannot connect to H:P: <reason>".
  void probe(std::chrono::milliseconds limit, std::function<void(Status)> done);

 private:
  ConnectProbe(boost::asio::io_context& io, BaseUrl url);
  boost::asio::io_context& io_;
  BaseUrl url_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // probes in flight hold a weak_ptr
};

}  // namespace passgate::drivers
