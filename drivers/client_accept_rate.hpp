// ClientAcceptRate: an HTTP listener's accept rate (AcceptRate, the listener's
// HttpLimits::accept_rate: drivers/http_listener.hpp), per client and in all. Each client
// address (an IPv4 address, a whole IPv6 address: common/client_keys.hpp) has its own token
// bucket, checked first: past it, a connection spends nothing of the rate in all. A connection
// within it takes a token of the rate in all; when there is none, an address trusted lately
// (its client's password was checked within trusted_for: trust()) takes one of a reserved
// budget instead, so that a flood from many addresses cannot keep out a technician who logged
// in before; the others are refused. Each trusted address has its own small share of that
// budget (trusted_per_second), so one trusted address connecting in a loop cannot spend it all;
// each is recorded with its user, one user holds at most max_trusted_per_user addresses (its
// least recently trusted goes first), and untrust() drops a user's addresses (a reload removed
// it or changed its password). There is no cap per IPv6 /64: inside a store's LAN, which shares one, a
// host that takes several addresses is indistinguishable from several hosts, and a cap there
// would let it lock out the others. At most max_clients addresses (a new one takes the place
// of the least recently seen whose bucket is full again: common/client_table.hpp) and
// max_trusted trusted addresses (the least recently trusted goes first) are tracked. Refusing
// costs the listener's one thread an accept and a close each: past max_refused_per_second
// refusals within a second (refused()), the listener stops accepting for refused_pause, so a
// flood faster than that cannot keep the thread in an accept-and-close loop; meanwhile the
// kernel's backlog fills and drops new connections, a trusted client's too.
// Single-threaded; the caller gives the time.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

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
  double reserved_per_second = 4;    // trusted addresses, once the rate in all is spent
  double reserved_burst = 16;
  double trusted_per_second = 1;  // each trusted address's share of the reserved budget
  double trusted_burst = 4;
  std::size_t max_clients = 1024;  // addresses tracked
  std::size_t max_trusted = 256;   // trusted addresses tracked
  std::chrono::hours trusted_for{24};
  std::size_t max_trusted_per_user = 8;
  std::size_t max_refused_per_second = 200;  // past that many refusals in a second...
  std::chrono::milliseconds refused_pause{100};  // ...accepting pauses for this long
};

// Whether a new connection may be kept; else why not.
enum class AcceptVerdict { kept, client_rate, busy };

class ClientAcceptRate {
 public:
  ClientAcceptRate(const AcceptRate& rate, SteadyTime now);

  // Whether `client` may open a new connection at `now`: a token of its own bucket, and one of
  // the rate in all, else of the reserved budget when the address is trusted. client_rate:
  // past its own bucket; busy: the rate in all spent (and the reserved budget, or not trusted).
  [[nodiscard]] AcceptVerdict try_connect(const ClientKeys& client, SteadyTime now);
  // `user`'s password was checked from `address` (ClientKeys::address) at `now`: trusted until
  // trusted_for has passed, or untrust(user).
  void trust(const std::string& address, const std::string& user, SteadyTime now);
  // The addresses trusted for these users are no longer.
  void untrust(const std::vector<std::string>& users);
  // A connection was refused at `now`: how long to stop accepting (zero: not at all). After a
  // pause, the count starts over.
  [[nodiscard]] std::chrono::milliseconds refused(SteadyTime now);

 private:
  struct Trusted {
    SteadyTime at;  // when its password was checked last
    std::string user;
    TokenBucket share;  // its own share of the reserved budget
  };
  // The trust of `address`, if it is trusted at `now`.
  [[nodiscard]] Trusted* trusted(const std::string& address, SteadyTime now);

  AcceptRate rate_;
  TokenBucket overall_;
  TokenBucket reserved_;
  ClientTable<TokenBucket> addresses_;
  ClientTable<Trusted> trusted_;
  SteadyTime refusals_since_;  // the second refusals are counted in
  std::size_t refusals_ = 0;
};

}  // namespace passgate::drivers
