// scan_preview never shows an entry token to an installer, and shows anything else safely.
#include <catch2/catch.hpp>

#include "controller/lanes/scan_preview.hpp"

using passgate::controller::looks_like_token;
using passgate::controller::scan_preview;

TEST_CASE("an entry token is never shown, with or without AIM prefix and suffix") {
  const std::string token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJzaHBfOGYyYyJ9.c2lnbmF0dXJlLWJ5dGVz";
  CHECK(looks_like_token(token));
  CHECK(scan_preview(token) == "entry token (" + std::to_string(token.size()) + " characters)");
  const std::string framed = "]Q1" + token + "\r\n";
  CHECK(scan_preview(framed).find(token.substr(0, 10)) == std::string::npos);
  CHECK(scan_preview(framed).starts_with("entry token"));
}

TEST_CASE("other reads are shown printable, escaped and cut") {
  CHECK_FALSE(looks_like_token("4006381333931"));
  CHECK(scan_preview("4006381333931") == "4006381333931");
  CHECK(scan_preview(std::string("a\tb\x01", 4)) == "a\\x09b\\x01");
  CHECK(scan_preview("https://example.com/a.b.c") == "https://example.com/a.b.c");
  const std::string long_text(100, 'x');
  CHECK(scan_preview(long_text) == std::string(64, 'x') + "...");
}
