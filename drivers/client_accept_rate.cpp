#include "drivers/client_accept_rate.hpp"

namespace passgate::drivers {

ClientAcceptRate::ClientAcceptRate(const AcceptRate& rate, SteadyTime now)
    : rate_(rate), overall_(rate.per_second, rate.burst, now),
      reserved_(rate.reserved_per_second, rate.reserved_burst, now), addresses_(rate.max_clients),
      trusted_(rate.max_trusted) {}

AcceptVerdict ClientAcceptRate::try_connect(const ClientKeys& client, SteadyTime now) {
  TokenBucket& own = addresses_.at(
      client.address, now, [&] { return TokenBucket(rate_.per_client_per_second, rate_.per_client_burst, now); },
      [](const TokenBucket& bucket, SteadyTime at) { return bucket.full(at); });
  if (own.tokens(now) < 1) return AcceptVerdict::client_rate;
  if (!overall_.try_take(1, now) && !(trusted(client.address, now) && reserved_.try_take(1, now))) {
    return AcceptVerdict::busy;
  }
  own.take(1, now);
  return AcceptVerdict::kept;
}

void ClientAcceptRate::trust(const std::string& address, SteadyTime now) {
  const auto lapsed = [this](SteadyTime at, SteadyTime when) { return when - at >= rate_.trusted_for; };
  trusted_.at(address, now, [now] { return now; }, lapsed) = now;
}

bool ClientAcceptRate::trusted(const std::string& address, SteadyTime now) {
  const SteadyTime* at = trusted_.find(address);
  return at != nullptr && now - *at < rate_.trusted_for;
}

}  // namespace passgate::drivers
