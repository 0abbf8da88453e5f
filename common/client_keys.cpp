#include "common/client_keys.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

namespace passgate {

ClientKeys client_keys(const std::string& peer_address) {
  namespace ip = boost::asio::ip;
  boost::system::error_code ec;
  const auto address = ip::make_address(peer_address, ec);
  if (ec) return {peer_address, ""};
  if (address.is_v4()) return {address.to_string(), ""};
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return {ip::make_address_v4(ip::v4_mapped, v6).to_string(), ""};
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return {v6.to_string(), ip::address_v6(bytes).to_string() + "/64"};
}

}  // namespace passgate
