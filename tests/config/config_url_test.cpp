// The tracking engine base URL parser and the loopback rule for plain http.
#include <catch2/catch.hpp>

#include "common/url.hpp"

using passgate::is_loopback_host;
using passgate::parse_base_url;

TEST_CASE("a base URL is split into scheme, host, port and path") {
  const auto url = parse_base_url("https://tracking.store.local:8443/engine/");
  REQUIRE(url.ok());
  CHECK(url->scheme == "https");
  CHECK(url->host == "tracking.store.local");
  CHECK(url->port == 8443);
  CHECK(url->path == "/engine");
}

TEST_CASE("the port defaults to the scheme's and IPv6 hosts lose their brackets") {
  CHECK(parse_base_url("https://tracking")->port == 443);
  CHECK(parse_base_url("http://tracking")->port == 80);
  const auto v6 = parse_base_url("http://[::1]:8080");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8080);
}

TEST_CASE("malformed base URLs are errors") {
  for (const auto* bad : {"tracking", "ftp://x", "https://", "https://h:", "https://h:0", "https://h:x", "https://[zz]",
                          "https://[::1]x", "https://h/a b", "https://h#f", "https://u@h"}) {
    CAPTURE(bad);
    const auto url = parse_base_url(bad);
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().code == "bad_url");
  }
}

TEST_CASE("loopback hosts are localhost, 127.0.0.0/8 and ::1") {
  for (const auto* host : {"localhost", "LocalHost", "127.0.0.1", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1"}) {
    CAPTURE(host);
    CHECK(is_loopback_host(host));
  }
  for (const auto* host : {"128.0.0.1", "10.0.0.1", "::2", "localhost.example", "tracking", "127.0.0.1.nip.io"}) {
    CAPTURE(host);
    CHECK_FALSE(is_loopback_host(host));
  }
}
