#include "common/log_value.hpp"

#include <catch2/catch.hpp>

using passgate::log_value;

TEST_CASE("log values without spaces, quotes or '=' are written as they are") {
  CHECK(log_value("lane1.entry") == "lane1.entry");
  CHECK(log_value("https://engine.local:8443/v1") == "https://engine.local:8443/v1");
}

TEST_CASE("log values that would break the key=value split are quoted and escaped") {
  CHECK(log_value("") == "\"\"");
  CHECK(log_value("line 4 in use") == "\"line 4 in use\"");
  CHECK(log_value("a=b") == "\"a=b\"");
  CHECK(log_value("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(log_value("back\\slash") == "\"back\\\\slash\"");
  CHECK(log_value("two\nlines\tand\x01") == "\"two\\nlines\\tand\\x01\"");
}
