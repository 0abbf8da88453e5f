// Strict unpadded base64url: round trips, RFC 4648 vectors, and every rejection.
#include <catch2/catch.hpp>

#include "crypto/base64url.hpp"

namespace passgate::crypto {
namespace {

std::string decode_error(std::string_view text) {
  const auto bytes = decode_base64url(text);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code == "invalid_base64url");
  return bytes.error().message;
}

TEST_CASE("base64url: RFC 4648 vectors without padding", "[base64url]") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},          {"f", "Zg"},         {"fo", "Zm8"},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(encode_base64url(plain) == encoded);
    const auto decoded = decode_base64url(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == plain);
  }
}

TEST_CASE("base64url: the URL-safe alphabet and all byte values round-trip", "[base64url]") {
  CHECK(encode_base64url("\xFB\xFF") == "-_8");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t length = 0; length <= all.size(); length += 37) {
    const std::string bytes = all.substr(0, length);
    const auto decoded = decode_base64url(encode_base64url(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64url: rejects padding, other alphabets, non-ASCII, whitespace", "[base64url]") {
  CHECK_THAT(decode_error("Zg=="), Catch::Contains("padding '=' at position 2"));
  CHECK_THAT(decode_error("Zm8="), Catch::Contains("padding"));
  CHECK_THAT(decode_error("+/8"), Catch::Contains("character '+' at position 0") &&
                                      Catch::Contains("[A-Za-z0-9_-]"));
  CHECK_THAT(decode_error("Zm9v/"), Catch::Contains("'/'"));
  CHECK_THAT(decode_error("Zm\xC3\xA9"), Catch::Contains("non-ASCII byte 0xC3 at position 2"));
  CHECK_THAT(decode_error("Zm 9v"), Catch::Contains("byte 0x20"));
  CHECK_THAT(decode_error("Zm9v\n"), Catch::Contains("byte 0x0A"));
  CHECK_THAT(decode_error(std::string_view("Zm\0v", 4)), Catch::Contains("byte 0x00"));
}

TEST_CASE("base64url: rejects impossible lengths and non-canonical last characters",
          "[base64url]") {
  CHECK_THAT(decode_error("Z"), Catch::Contains("length 1"));
  CHECK_THAT(decode_error("Zm9vY"), Catch::Contains("length 5"));
  // "Zg" is "f"; "Zh" has the same first 8 bits and non-zero unused bits.
  CHECK_THAT(decode_error("Zh"), Catch::Contains("non-canonical"));
  CHECK_THAT(decode_error("Zm9"), Catch::Contains("non-canonical"));
  CHECK(decode_base64url("Zm8").ok());
}

}  // namespace
}  // namespace passgate::crypto
