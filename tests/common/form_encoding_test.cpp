#include <catch2/catch.hpp>

#include "common/form_encoding.hpp"

using namespace passgate;

TEST_CASE("form encoding keeps order and escapes nested keys and reserved bytes") {
  const FormFields fields = {{"amount", "1234"}, {"metadata[session_id]", "a b&c=d"}, {"note", "caf\xC3\xA9~"}};
  const std::string body = form_encode(fields);
  CHECK(body == "amount=1234&metadata%5Bsession_id%5D=a%20b%26c%3Dd&note=caf%C3%A9~");
  auto decoded = form_decode(body);
  REQUIRE(decoded.ok());
  CHECK(*decoded == fields);
}

TEST_CASE("form decoding accepts plus as space, raw brackets and empty values") {
  auto decoded = form_decode("metadata[op]=charge&reason=a+b&empty=");
  REQUIRE(decoded.ok());
  CHECK(*decoded == FormFields{{"metadata[op]", "charge"}, {"reason", "a b"}, {"empty", ""}});
}

TEST_CASE("form decoding names the offset of malformed input") {
  auto truncated = form_decode("amount=12%4");
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == "bad_form");
  CHECK(truncated.error().message.find("offset 9") != std::string::npos);
  auto not_hex = form_decode("a=1&b=%zz");
  REQUIRE_FALSE(not_hex.ok());
  CHECK(not_hex.error().message.find("offset 6") != std::string::npos);
  auto no_equals = form_decode("a=1&flag");
  REQUIRE_FALSE(no_equals.ok());
  CHECK(no_equals.error().message.find("no '='") != std::string::npos);
}
