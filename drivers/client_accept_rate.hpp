// ClientAcceptRate: the per-client part of an HTTP listener's accept rate (AcceptRate, the
// listener's HttpLimits::accept_rate: drivers/http_listener.hpp). Each client address has its
// own token bucket, and an IPv6 address's /64 a larger one shared by all its addresses
// (common/client_keys.hpp): one host's flood is stopped at its own address without stopping the
// other hosts of its LAN, and cannot get past that by taking more addresses of its /64. At
// most max_clients addresses and as many /64s are tracked (common/client_table.hpp: a new one
// takes the place of the least recently seen whose bucket is full again). Single-threaded.
#pragma once

#include <cstddef>

#include "common/client_keys.hpp"
#include "common/client_table.hpp"
#include "common/clock.hpp"
#include "common/token_bucket.hpp"

namespace passgate::drivers {

// How fast a listener takes new connections (HttpLimits::accept_rate).
struct AcceptRate {
  double per_second = 20;  // in all
  double burst = 32;
  double per_client_per_second = 4;  // each client address
  double per_client_burst = 16;      // a browser opens a handful at once
  double per_network_per_second = 10;  // all the addresses of one IPv6 /64
  double per_network_burst = 32;
  std::size_t max_clients = 1024;  // addresses tracked, and as many /64s
};

class ClientAcceptRate {
 public:
  explicit ClientAcceptRate(const AcceptRate& rate)
      : rate_(rate), addresses_(rate.max_clients), networks_(rate.max_clients) {}

  // Whether `client` may open a new connection at `now`: its address and its /64 (IPv6) each
  // have a token; then each gives one.
  [[nodiscard]] bool try_connect(const ClientKeys& client, SteadyTime now);

 private:
  AcceptRate rate_;
  ClientTable<TokenBucket> addresses_;
  ClientTable<TokenBucket> networks_;
};

}  // namespace passgate::drivers
