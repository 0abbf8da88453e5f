// ClientAcceptRate (drivers/client_accept_rate.hpp), a listener's accept rate: each address
// has its own bucket, so a host with several addresses of a store LAN's /64 leaves the other
// hosts of that /64 theirs (no cap per /64); past its own bucket a client spends nothing of the
// rate in all; once the rate in all is spent, an address trusted lately (a login) takes the
// reserved budget and the others are refused, for trusted_for only and for at most max_trusted
// addresses, each with its own share of it and at most max_trusted_per_user per user, dropped
// by untrust; past max_refused_per_second refusals accepting pauses; a full table makes room
// for a new client instead of refusing it. In virtual time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "drivers/client_accept_rate.hpp"

namespace passgate::drivers {
namespace {

using namespace std::chrono_literals;

AcceptVerdict connect(ClientAcceptRate& rate, const std::string& peer, SteadyTime now) {
  return rate.try_connect(client_keys(peer), now);
}

TEST_CASE("each address has its own accept rate; a host with three addresses leaves its /64 to the others") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 20, .burst = 32, .per_client_per_second = 4, .per_client_burst = 4}, t0);
  for (int i = 0; i < 4; ++i) CHECK(connect(rate, "2001:db8:1:2::66", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "2001:db8:1:2::66", t0) == AcceptVerdict::client_rate);
  // One host connecting in a tight loop from three addresses of the LAN's /64, for 10 s: 12 a
  // second, within the rate in all...
  SteadyTime now = t0;
  for (int tick = 0; tick < 1000; ++tick, now += 10ms) {
    for (const char* address : {"2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2::c"}) {
      (void)connect(rate, address, now);
    }
  }
  // ...leaves the other hosts of that /64 theirs.
  CHECK(connect(rate, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", now) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.1", now) == AcceptVerdict::kept);
  // A second later the first host has a token again.
  CHECK(connect(rate, "2001:db8:1:2::66", t0 + 1s) == AcceptVerdict::kept);
}

TEST_CASE("once the rate in all is spent, only an address that logged in lately gets in, on a reserved budget") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 1,
                         .burst = 2,
                         .per_client_per_second = 100,
                         .per_client_burst = 100,
                         .reserved_per_second = 1,
                         .reserved_burst = 3,
                         .max_clients = 1024,
                         .max_trusted = 2,
                         .trusted_for = 24h},
                        t0);
  rate.trust("10.0.0.7", "tech", t0);
  rate.trust("2001:db8:1:2:aaaa::7", "anna", t0);
  CHECK(connect(rate, "10.0.0.66", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.67", t0) == AcceptVerdict::kept);
  // A flood from many addresses has spent the rate in all.
  for (int i = 0; i < 50; ++i) CHECK(connect(rate, "10.1.0." + std::to_string(i), t0) == AcceptVerdict::busy);
  CHECK(connect(rate, "10.0.0.7", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "::ffff:10.0.0.7", t0) == AcceptVerdict::kept);  // the same address
  CHECK(connect(rate, "2001:db8:1:2:aaaa::7", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "2001:db8:1:2:aaaa::7", t0) == AcceptVerdict::busy);  // the reserved budget is spent too
  CHECK(connect(rate, "2001:db8:1:2:aaaa::8", t0) == AcceptVerdict::busy);  // not trusted: its /64 is no help
  // Trusted for a day only.
  const SteadyTime later = t0 + 24h;
  for (int i = 0; i < 50; ++i) (void)connect(rate, "10.1.0." + std::to_string(i), later);
  CHECK(connect(rate, "10.0.0.7", later) == AcceptVerdict::busy);
  // At most max_trusted addresses: a new one takes the place of the least recently trusted.
  rate.trust("10.0.0.7", "tech", later);
  rate.trust("10.0.0.8", "tech", later + 1ms);
  rate.trust("10.0.0.9", "tech", later + 1s);
  for (int i = 0; i < 50; ++i) (void)connect(rate, "10.1.0." + std::to_string(i), later + 1s);
  CHECK(connect(rate, "10.0.0.7", later + 1s) == AcceptVerdict::busy);
  CHECK(connect(rate, "10.0.0.9", later + 1s) == AcceptVerdict::kept);
}

TEST_CASE("each trusted address has its own share of the reserved budget: one polling in a loop leaves some to the others") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 20, .burst = 32}, t0);  // the defaults: reserved 4/s, each trusted 1/s
  rate.trust("10.0.0.50", "mallory", t0);
  rate.trust("10.0.0.7", "tech", t0);
  SteadyTime now = t0;
  SteadyTime tech_last = t0;
  Millis longest_wait{0};
  // For 10 s a flood from many addresses keeps the rate in all spent, and 10.0.0.50 connects
  // every millisecond; the technician's browser tries every 10 ms.
  for (int ms = 0; ms < 10'000; ++ms, now += 1ms) {
    for (int i = 0; i < 3; ++i) (void)connect(rate, "10.1." + std::to_string(ms % 200) + "." + std::to_string(i), now);
    (void)connect(rate, "10.0.0.50", now);
    if (ms % 10 == 0 && connect(rate, "10.0.0.7", now) == AcceptVerdict::kept) {
      longest_wait = std::max(longest_wait, std::chrono::duration_cast<Millis>(now - tech_last));
      tech_last = now;
    }
  }
  longest_wait = std::max(longest_wait, std::chrono::duration_cast<Millis>(now - tech_last));
  // He gets a connection at least once a second, his share: the poller cannot take it.
  CHECK(longest_wait <= 1010ms);
}

TEST_CASE("one user trusts at most max_trusted_per_user addresses; untrust drops a user's addresses") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.per_second = 1, .burst = 1, .per_client_per_second = 100, .per_client_burst = 100,
                         .max_trusted_per_user = 2},
                        t0);
  const auto spend = [&rate](SteadyTime at) {
    for (int i = 0; i < 5; ++i) (void)connect(rate, "10.1.0." + std::to_string(i), at);
  };
  rate.trust("10.0.0.1", "mallory", t0);
  rate.trust("10.0.0.2", "mallory", t0 + 1ms);
  rate.trust("10.0.0.3", "mallory", t0 + 2ms);  // her least recently trusted goes
  rate.trust("10.0.0.7", "tech", t0 + 3ms);
  spend(t0 + 3ms);
  CHECK(connect(rate, "10.0.0.1", t0 + 3ms) == AcceptVerdict::busy);
  CHECK(connect(rate, "10.0.0.2", t0 + 3ms) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.3", t0 + 3ms) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.7", t0 + 3ms) == AcceptVerdict::kept);
  // A reload removes mallory: her addresses are trusted no more, the others' still are.
  rate.untrust({"mallory"});
  CHECK(connect(rate, "10.0.0.2", t0 + 3ms) == AcceptVerdict::busy);
  CHECK(connect(rate, "10.0.0.3", t0 + 3ms) == AcceptVerdict::busy);
  CHECK(connect(rate, "10.0.0.7", t0 + 3ms) == AcceptVerdict::kept);
}

TEST_CASE("past max_refused_per_second refusals within a second accepting pauses, then the count starts over") {
  const SteadyTime t0{};
  ClientAcceptRate rate({.max_refused_per_second = 3, .refused_pause = 100ms}, t0);
  CHECK(rate.refused(t0) == 0ms);
  CHECK(rate.refused(t0 + 1ms) == 0ms);
  CHECK(rate.refused(t0 + 2ms) == 100ms);
  CHECK(rate.refused(t0 + 102ms) == 0ms);
  CHECK(rate.refused(t0 + 103ms) == 0ms);
  CHECK(rate.refused(t0 + 104ms) == 100ms);
  // Two a second never pause.
  for (SteadyTime at = t0 + 1s; at < t0 + 10s; at += 500ms) CHECK(rate.refused(at) == 0ms);
}

TEST_CASE("a full table of clients makes room for a new one instead of refusing it") {
  const SteadyTime t0{};
  ClientAcceptRate rate(
      {.per_second = 100, .burst = 100, .per_client_per_second = 1, .per_client_burst = 1, .max_clients = 2}, t0);
  CHECK(connect(rate, "10.0.0.1", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.2", t0) == AcceptVerdict::kept);
  CHECK(connect(rate, "10.0.0.3", t0) == AcceptVerdict::kept);  // nobody idle: the least recently seen goes
  CHECK(connect(rate, "10.0.0.3", t0) == AcceptVerdict::client_rate);
}

}  // namespace
}  // namespace passgate::drivers
