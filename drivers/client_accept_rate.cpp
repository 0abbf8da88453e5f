#include "drivers/client_accept_rate.hpp"

namespace passgate::drivers {

bool ClientAcceptRate::try_connect(const ClientKeys& client, SteadyTime now) {
  const auto idle = [](const TokenBucket& bucket, SteadyTime at) { return bucket.full(at); };
  TokenBucket& own = addresses_.at(
      client.address, now, [&] { return TokenBucket(rate_.per_client_per_second, rate_.per_client_burst, now); },
      idle);
  TokenBucket* network = nullptr;
  if (!client.network.empty()) {
    network = &networks_.at(
        client.network, now, [&] { return TokenBucket(rate_.per_network_per_second, rate_.per_network_burst, now); },
        idle);
  }
  if (own.tokens(now) < 1 || (network != nullptr && network->tokens(now) < 1)) return false;
  own.take(1, now);
  if (network != nullptr) network->take(1, now);
  return true;
}

}  // namespace passgate::drivers
