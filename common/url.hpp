// Internal to config loading (and anyone who needs the same rules): parses the tracking
// engine's base URL, "http(s)://host[:port][/path]", and tells loopback hosts apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate {

struct BaseUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // name, IPv4 address, or IPv6 address without brackets
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string path;    // "" or "/prefix" without a trailing slash
};

// Error code "bad_url"; the message says what is wrong ("has no host", ...).
[[nodiscard]] Result<BaseUrl> parse_base_url(std::string_view url);

// localhost, 127.0.0.0/8 or ::1.
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace passgate
