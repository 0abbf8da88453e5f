// parse_strict_json: nlohmann parsing that refuses duplicate member names at any depth
// and reports positions without quoting the text.
#include <catch2/catch.hpp>

#include "crypto/strict_json.hpp"

namespace passgate::crypto {
namespace {

Error parse_error(std::string_view text) {
  const auto parsed = parse_strict_json(text);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error();
}

TEST_CASE("strict JSON: ordinary JSON parses", "[json]") {
  const auto parsed = parse_strict_json(R"({"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"c":"a"})");
  REQUIRE(parsed.ok());
  CHECK((*parsed)["b"]["c"][1]["a"] == 4);
  CHECK(parse_strict_json("[1, 2, 3]").ok());
  CHECK(parse_strict_json(" \"text\" ").ok());
  CHECK(parse_strict_json("{}").ok());
}

TEST_CASE("strict JSON: a duplicate member at any depth is refused", "[json]") {
  for (const std::string_view text :
       {R"({"a":1,"a":1})", R"({"a":1,"b":2,"a":{}})", R"({"o":{"x":1,"x":2}})",
        R"([{"ok":1},{"k":1,"k":2}])", R"({"a":{"b":{"c":{"d":1,"d":1}}}})",
        R"({"\u0061":1,"a":2})"}) {
    INFO(text);
    const Error e = parse_error(text);
    CHECK(e.code == "duplicate_member");
  }
  CHECK_THAT(parse_error(R"({"o":{"x":1,"x":2}})").message, Catch::Contains("\"x\""));
}

TEST_CASE("strict JSON: the same name in different objects is fine", "[json]") {
  CHECK(parse_strict_json(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})").ok());
}

TEST_CASE("strict JSON: syntax errors give a position, never the text", "[json]") {
  CHECK(parse_error("").message == "empty input");
  const Error e = parse_error("{\"secret\":\"cus_SECRET\" x}");
  CHECK(e.code == "invalid_json");
  CHECK_THAT(e.message, Catch::Contains("line 1, column") && !Catch::Contains("SECRET"));
  CHECK_THAT(parse_error("{\n  \"a\": 1,\n  \"b\": tru\n}").message, Catch::Contains("line 3"));
  CHECK_THAT(parse_error("{\"customer\":\"cus_SECRET").message,
             Catch::Contains("unexpected end of input") && !Catch::Contains("SECRET"));
  CHECK(parse_error("{\"a\":1} trailing").code == "invalid_json");
  CHECK(parse_error("{\"a\":\"\xFF\"}").code == "invalid_json");  // not UTF-8
  CHECK(parse_error("{\"a\":1 /* comment */}").code == "invalid_json");
}

TEST_CASE("strict JSON: numbers too large for a double are an error, not an exception", "[json]") {
  // Found by fuzz_jwks: nlohmann reports these with out_of_range, not parse_error.
  for (const std::string_view text : {"1e999", "8e888/8", "{\"iat\":-1e400}", "[1,2,1E+999]"}) {
    INFO(text);
    CHECK(parse_error(text).code == "invalid_json");
  }
  CHECK(parse_strict_json("18446744073709551616").ok());  // beyond 64 bits: a double
}

}  // namespace
}  // namespace passgate::crypto
