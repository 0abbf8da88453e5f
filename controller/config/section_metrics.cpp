// [metrics]: where passgated serves GET /metrics and GET /healthz (docs/metrics.md). The
// listener takes no credentials, so it is on a loopback address only: anything else is
// refused at its line. parse_listen, shared with [status_page], is here too.

#include <arpa/inet.h>

#include <array>
#include <charconv>

#include "controller/config/sections.hpp"
#include "common/url.hpp"

namespace passgate::controller {
namespace {

bool is_ip_address(const std::string& text) {
  std::array<unsigned char, 16> bytes{};
  return inet_pton(AF_INET, text.c_str(), bytes.data()) == 1 || inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1;
}

}  // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error("bad_listen", "has no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[') && host.ends_with(']')) {
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return make_error("bad_listen", "has brackets around an IPv4 address");
  } else if (host.find(':') != std::string_view::npos) {
    return make_error("bad_listen", "has an IPv6 address without brackets");
  }
  ListenAddress listen{std::string(host), 0};
  if (listen.address.empty()) return make_error("bad_listen", "has no address");
  if (!is_ip_address(listen.address)) return make_error("bad_listen", "has " + in_quotes(host) + ", not an IP address");
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return make_error("bad_listen", "has port " + in_quotes(port_text) + ", not a number from 0 to 65535");
  }
  listen.port = static_cast<std::uint16_t>(port);
  return listen;
}

void read_metrics(TableReader& root, MetricsConfig& metrics) {
  auto section = root.section("metrics", Presence::optional);
  if (!section) return;
  if (const auto enabled = section->boolean("enabled")) metrics.enabled = *enabled;
  if (const auto text = section->text("listen", Presence::optional)) {
    const std::string name = section->name_of("listen");
    const auto listen = parse_listen(*text);
    if (!listen) {
      section->problem_at("listen", name + " is " + in_quotes(*text) + ", which " + listen.error().message + "; " +
                                        std::string(kListenExpected));
    } else if (!is_loopback_host(listen->address)) {
      section->problem_at("listen", name + " is " + in_quotes(*text) + ", but " + listen->address +
                                        " is not a loopback address: metrics and health are served without "
                                        "authentication, on 127.0.0.0/8 or ::1 only (scrape through a local agent "
                                        "or an SSH tunnel); " + std::string(kListenExpected));
    } else {
      metrics.address = listen->address;
      metrics.port = listen->port;
    }
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
