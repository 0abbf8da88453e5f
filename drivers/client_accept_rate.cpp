#include "drivers/client_accept_rate.hpp"

#include <algorithm>

namespace passgate::drivers {

ClientAcceptRate::ClientAcceptRate(const AcceptRate& rate, SteadyTime now)
    : rate_(rate), overall_(rate.per_second, rate.burst, now),
      reserved_(rate.reserved_per_second, rate.reserved_burst, now), addresses_(rate.max_clients),
      trusted_(rate.max_trusted), refusals_since_(now) {}

AcceptVerdict ClientAcceptRate::try_connect(const ClientKeys& client, SteadyTime now) {
  TokenBucket& own = addresses_.at(
      client.address, now, [&] { return TokenBucket(rate_.per_client_per_second, rate_.per_client_burst, now); },
      [](const TokenBucket& bucket, SteadyTime at) { return bucket.full(at); });
  if (own.tokens(now) < 1) return AcceptVerdict::client_rate;
  if (!overall_.try_take(1, now)) {
    Trusted* trust = trusted(client.address, now);
    if (trust == nullptr || trust->share.tokens(now) < 1 || !reserved_.try_take(1, now)) return AcceptVerdict::busy;
    trust->share.take(1, now);
  }
  own.take(1, now);
  return AcceptVerdict::kept;
}

void ClientAcceptRate::trust(const std::string& address, const std::string& user, SteadyTime now) {
  const auto lapsed = [this](const Trusted& entry, SteadyTime when) { return when - entry.at >= rate_.trusted_for; };
  Trusted& entry = trusted_.at(
      address, now, [&] { return Trusted{now, user, TokenBucket(rate_.trusted_per_second, rate_.trusted_burst, now)}; },
      lapsed);
  entry.at = now;
  entry.user = user;
  // One user holds at most max_trusted_per_user addresses: its least recently trusted goes.
  std::size_t held = 0;
  const std::string* oldest = nullptr;
  SteadyTime oldest_at = now;
  trusted_.for_each([&](const std::string& key, const Trusted& other) {
    if (other.user != user) return;
    ++held;
    if (key != address && (oldest == nullptr || other.at < oldest_at)) {
      oldest = &key;
      oldest_at = other.at;
    }
  });
  if (held > rate_.max_trusted_per_user && oldest != nullptr) {
    const std::string victim = *oldest;
    trusted_.erase_if([&victim](const std::string& key, const Trusted&) { return key == victim; });
  }
}

void ClientAcceptRate::untrust(const std::vector<std::string>& users) {
  trusted_.erase_if([&users](const std::string&, const Trusted& entry) {
    return std::find(users.begin(), users.end(), entry.user) != users.end();
  });
}

std::chrono::milliseconds ClientAcceptRate::refused(SteadyTime now) {
  if (now - refusals_since_ >= std::chrono::seconds(1)) {
    refusals_since_ = now;
    refusals_ = 0;
  }
  if (++refusals_ < rate_.max_refused_per_second) return std::chrono::milliseconds(0);
  refusals_since_ = now + rate_.refused_pause;
  refusals_ = 0;
  return rate_.refused_pause;
}

ClientAcceptRate::Trusted* ClientAcceptRate::trusted(const std::string& address, SteadyTime now) {
  Trusted* entry = trusted_.find(address);
  return entry != nullptr && now - entry->at < rate_.trusted_for ? entry : nullptr;
}

}  // namespace passgate::drivers
