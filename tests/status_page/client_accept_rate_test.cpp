// ClientAcceptRate (drivers/client_accept_rate.hpp), the per-client part of the listener's
// accept rate: each address has its own bucket, so one IPv6 host past its rate leaves the
// other hosts of its /64 (a store LAN's) their own; a /64 has a larger cap in all, which more
// addresses of it do not get past; an IPv4 address has no /64; a full table makes room for a
// new client instead of refusing it. In virtual time.
#include <catch2/catch.hpp>

#include <string>

#include "drivers/client_accept_rate.hpp"

namespace passgate::drivers {
namespace {

using namespace std::chrono_literals;

bool connect(ClientAcceptRate& rate, const std::string& peer, SteadyTime now) {
  return rate.try_connect(client_keys(peer), now);
}

TEST_CASE("each address has its own accept rate; its IPv6 /64 a larger one in all") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 100,
                         .burst = 100,
                         .per_client_per_second = 1,
                         .per_client_burst = 4,
                         .per_network_per_second = 2,
                         .per_network_burst = 10,
                         .max_clients = 1024});
  for (int i = 0; i < 4; ++i) CHECK(connect(rate, "2001:db8:1:2::66", t0));
  CHECK_FALSE(connect(rate, "2001:db8:1:2::66", t0));
  // Another host of the same LAN (its /64) still gets in.
  CHECK(connect(rate, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", t0));
  // More addresses of that /64 do not get past its cap: 10 in all.
  int more = 0;
  for (int i = 0; i < 20; ++i) {
    if (connect(rate, "2001:db8:1:2::" + std::to_string(100 + i), t0)) ++more;
  }
  CHECK(more == 10 - 5);
  CHECK(connect(rate, "2001:db8:1:3::1", t0));  // another /64
  // IPv4 addresses are clients of their own, with no cap over them.
  for (int i = 0; i < 20; ++i) CHECK(connect(rate, "10.0.0." + std::to_string(i), t0));
  // A second later the host has a token again, and so has its /64.
  CHECK(connect(rate, "2001:db8:1:2::66", t0 + 1s));
  CHECK_FALSE(connect(rate, "2001:db8:1:2::66", t0 + 1s));
}

TEST_CASE("a full table of clients makes room for a new one instead of refusing it") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 100,
                         .burst = 100,
                         .per_client_per_second = 1,
                         .per_client_burst = 1,
                         .per_network_per_second = 10,
                         .per_network_burst = 10,
                         .max_clients = 2});
  CHECK(connect(rate, "10.0.0.1", t0));
  CHECK(connect(rate, "10.0.0.2", t0));
  CHECK(connect(rate, "10.0.0.3", t0));  // nobody idle: the least recently seen goes
  CHECK_FALSE(connect(rate, "10.0.0.3", t0));
}

}  // namespace
}  // namespace passgate::drivers
