#include "common/url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace passgate {
namespace {

Error bad_url(std::string message) { return make_error("bad_url", std::move(message)); }

bool is_host_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
}

bool is_ipv6(const std::string& host) {
  std::array<unsigned char, 16> address{};
  return inet_pton(AF_INET6, host.c_str(), address.data()) == 1;
}

}  // namespace

Result<BaseUrl> parse_base_url(std::string_view url) {
  BaseUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad_url("which does not start with http:// or https://");
  out.scheme = std::string(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") {
    return bad_url("whose scheme " + out.scheme + ":// is neither http:// nor https://");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return bad_url("which has a query or fragment");
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) return bad_url("which has user information before the host");

  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url("whose IPv6 address has no closing ]");
    out.host = std::string(authority.substr(1, close - 1));
    if (!is_ipv6(out.host)) return bad_url("whose host [" + out.host + "] is not an IPv6 address");
    const auto after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return bad_url("which has text after the IPv6 address");
    if (!after.empty()) port_text = after.substr(1);
    if (!after.empty() && port_text.empty()) return bad_url("which has an empty port");
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad_url("which has an empty port");
    }
    if (out.host.empty()) return bad_url("which has no host");
    if (!std::all_of(out.host.begin(), out.host.end(), is_host_name_char)) {
      return bad_url("whose host \"" + out.host + "\" has characters a host name cannot have");
    }
  }

  out.port = out.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return bad_url("whose port \"" + std::string(port_text) + "\" is not a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(port);
  }

  const bool path_ok = std::all_of(path.begin(), path.end(), [](char c) {
    return std::isgraph(static_cast<unsigned char>(c)) != 0;
  });
  if (!path_ok) return bad_url("whose path has spaces or control characters");
  while (path.ends_with('/')) path.remove_suffix(1);
  out.path = std::string(path);
  return out;
}

bool is_loopback_host(std::string_view host) {
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (lower == "localhost") return true;
  std::array<unsigned char, 16> address{};
  if (inet_pton(AF_INET, lower.c_str(), address.data()) == 1) return address[0] == 127;
  if (inet_pton(AF_INET6, lower.c_str(), address.data()) == 1) {
    constexpr std::array<unsigned char, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return address == kLoopback;
  }
  return false;
}

}  // namespace passgate
