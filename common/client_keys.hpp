// ClientKeys: who a peer is, for per-client limits (the HTTP listener's accept rate, the status
// page's logins). Each address is a client of its own, strictly limited: an IPv4 address (also
// one mapped into IPv6) or a whole IPv6 address. An IPv6 address's /64 is given too, for the
// logins' hashing budget per /64: every host of a store's LAN shares one /64 and one host may
// take many addresses of it, so nothing may shut a /64 out as a whole (one host would lock out
// the others).
#pragma once

#include <string>

namespace passgate {

struct ClientKeys {
  std::string address;  // "10.0.0.5", "2001:db8:1:2::1"; anything not an address as it is
  std::string network;  // an IPv6 address's /64: "2001:db8:1:2::/64"; "" for the others
};

[[nodiscard]] ClientKeys client_keys(const std::string& peer_address);

}  // namespace passgate
