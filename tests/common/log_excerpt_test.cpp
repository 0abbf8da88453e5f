#include <catch2/catch.hpp>

#include <string>

#include "common/log_excerpt.hpp"

namespace passgate::test {

TEST_CASE("a short text is kept, with its control characters escaped") {
  CHECK(log_excerpt("{\"error\":\"conflict\"}") == "{\"error\":\"conflict\"}");
  CHECK(log_excerpt("a\nb\x1b[31mc\x7f") == "a\\x0ab\\x1b[31mc\\x7f");
  CHECK(log_excerpt("") == "");
}

TEST_CASE("a long text is cut to the limit and says how long it was") {
  const std::string body(1'000'000, 'x');
  CHECK(log_excerpt(body) == std::string(200, 'x') + "... (1000000 bytes)");
  CHECK(log_excerpt(body, 3) == "xxx... (1000000 bytes)");
}

TEST_CASE("a cut never splits a UTF-8 character") {
  // "é" is two bytes; a limit of 2 would cut after its first one.
  CHECK(log_excerpt("aé and more", 2) == "a... (12 bytes)");
  CHECK(log_excerpt("aé and more", 3) == "aé... (12 bytes)");
}

}  // namespace passgate::test
