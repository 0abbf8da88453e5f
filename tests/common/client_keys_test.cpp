// ClientKeys (common/client_keys.hpp): each address is a client of its own (an IPv4 address
// mapped into IPv6 is that IPv4 address), and an IPv6 address also belongs to its /64.
#include <catch2/catch.hpp>

#include "common/client_keys.hpp"

namespace passgate {
namespace {

TEST_CASE("a client is its own address; an IPv6 address belongs to its /64 too") {
  CHECK(client_keys("10.0.0.5").address == "10.0.0.5");
  CHECK(client_keys("10.0.0.5").network.empty());
  CHECK(client_keys("::ffff:10.0.0.5").address == "10.0.0.5");
  CHECK(client_keys("::ffff:10.0.0.5").network.empty());
  const ClientKeys one = client_keys("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
  const ClientKeys other = client_keys("2001:DB8:1:2:0:0:0:1");
  CHECK(one.address == "2001:db8:1:2:aaaa:bbbb:cccc:dddd");
  CHECK(other.address == "2001:db8:1:2::1");  // written one way only
  CHECK(one.network == "2001:db8:1:2::/64");
  CHECK(other.network == "2001:db8:1:2::/64");
  CHECK(client_keys("::1").network == "::/64");
  CHECK(client_keys("unknown").address == "unknown");
  CHECK(client_keys("unknown").network.empty());
}

}  // namespace
}  // namespace passgate
