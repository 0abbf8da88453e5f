// The rig link's wire format: parsing of the rig's messages with precise errors, and
// encoding of the gate's (line framing: tests/hw/line_framer_test.cpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/rig_link_protocol.hpp"

using namespace passgate::drivers::rig;

namespace {

std::string error_of(std::string_view line) {
  const auto parsed = parse_rig_message(line);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().code + ": " + parsed.error().message;
}

}  // namespace

TEST_CASE("input and scan messages parse") {
  const auto in = parse_rig_message(R"({"t":"in","line":"lane1.beam_outer","v":1})");
  REQUIRE(in.ok());
  const auto& input = std::get<InputMessage>(*in);
  CHECK(input.line == "lane1.beam_outer");
  CHECK(input.active);

  const auto off = parse_rig_message(R"({"v":false,"line":"fire_alarm","t":"in","extra":[1]})");
  REQUIRE(off.ok());
  CHECK_FALSE(std::get<InputMessage>(*off).active);

  const auto scan = parse_rig_message(R"({"t":"scan","scanner":"lane1.entry","data":"]Q1eyJ\r\n"})");
  REQUIRE(scan.ok());
  CHECK(std::get<ScanMessage>(*scan).scanner == "lane1.entry");
  CHECK(std::get<ScanMessage>(*scan).data == "]Q1eyJ\r\n");
}

TEST_CASE("bad messages are refused with what is wrong and what is expected") {
  CHECK(error_of(R"({"t":"in","line":"x","v":2})") == R"(malformed: "v" must be 0 or 1 (or false/true), got 2)");
  CHECK(error_of(R"({"t":"in","line":"x","v":"1"})") == R"(malformed: "v" must be 0 or 1 (or false/true), got "1")");
  CHECK(error_of(R"({"t":"in","line":"x","v":1.0})") == R"(malformed: "v" must be 0 or 1 (or false/true), got 1.0)");
  CHECK(error_of(R"({"t":"in","v":1})") == R"(malformed: "in" message without "line" (a string is expected))");
  CHECK(error_of(R"({"t":"in","line":7,"v":1})") == R"(malformed: "line" must be a string, got number)");
  CHECK(error_of(R"({"t":"in","line":"x"})") == R"(malformed: "in" message without "v" (0 or 1 is expected))");
  CHECK(error_of(R"({"t":"scan","scanner":"lane1.entry"})") ==
        R"(malformed: "scan" message without "data" (a string is expected))");
  CHECK(error_of(R"({"t":"out","line":"x","v":1})") ==
        R"(unknown_type: unknown message type "out" (the rig sends "in" or "scan"))");
  CHECK(error_of(R"({"line":"x","v":1})") == R"(malformed: a message needs a string field "t" ("in" or "scan"))");
  CHECK(error_of(R"([1,2])") == "malformed: a message must be a JSON object, got array");
  CHECK(error_of(R"({"t":"in",)").starts_with("malformed: malformed JSON: parse error at line 1, column 11"));
  CHECK(error_of("{\"t\":\"scan\",\"scanner\":\"a\",\"data\":\"\xff\"}").starts_with("malformed: malformed JSON"));
}

TEST_CASE("a scan line broken inside its data is refused without repeating the data") {
  // The data of a scan is an entry token: the parser's "last read" excerpt would quote it.
  const auto message = error_of(R"({"t":"scan","scanner":"lane1.entry","data":"eyJhbGciOiJFUzI1NiJ9.secret-claims)");
  CHECK(message.starts_with("malformed: malformed JSON: parse error at line 1, column "));
  CHECK(message.find("eyJhbGci") == std::string::npos);
  CHECK(message.find("secret-claims") == std::string::npos);
  CHECK(error_of("{\"t\":\"scan\",\"data\":\"tok\x01en\"}").find("tok") == std::string::npos);
}

TEST_CASE("echoed rig input is cut short") {
  const std::string long_type(500, 'x');
  const auto message = error_of(R"({"t":")" + long_type + R"("})");
  CHECK(message == "unknown_type: unknown message type \"" + std::string(64, 'x') + "…\" (the rig sends \"in\" or \"scan\")");
}

TEST_CASE("blank lines are recognised") {
  CHECK(is_blank_line(""));
  CHECK(is_blank_line(" \t\r"));
  CHECK_FALSE(is_blank_line(" {}"));
}

TEST_CASE("a number too large for JSON is malformed, not a crash (found by fuzz_rig_line)") {
  for (const std::string_view line : {"9999e991", R"({"t":"in","line":"lane1.beam_outer","v":1e999})"}) {
    const auto parsed = parse_rig_line(line);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == "malformed");
    CHECK(parsed.error().message == "malformed JSON: a number out of range");
  }
}

TEST_CASE("a line as the link takes it: blank ignored, at most 4096 bytes without its newline, else a message") {
  const auto blank = parse_rig_line(" \t\r");
  REQUIRE(blank);
  CHECK_FALSE(blank->has_value());

  const std::string head = R"({"t":"scan","scanner":"lane1.entry","data":")";
  const std::string longest = head + std::string(kMaxLineBytes - head.size() - 2, 'A') + "\"}";
  REQUIRE(longest.size() == 4096);
  const auto fits = parse_rig_line(longest);
  REQUIRE(fits);
  REQUIRE(fits->has_value());
  CHECK(std::get<ScanMessage>(**fits).data.size() == 4096 - head.size() - 2);

  const auto over = parse_rig_line(longest + " ");
  REQUIRE_FALSE(over);
  CHECK(over.error().code == "too_long");
  CHECK(over.error().message == "line longer than 4096 bytes ignored (one JSON message per line)");

  const auto bad = parse_rig_line("{\"t\":\"hello\"}");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "unknown_type");
}

TEST_CASE("gate messages are one JSON line each") {
  CHECK(encode_output("lane1.release_in", true) == "{\"t\":\"out\",\"line\":\"lane1.release_in\",\"v\":1}\n");
  CHECK(encode_output("lane1.buzzer", false) == "{\"t\":\"out\",\"line\":\"lane1.buzzer\",\"v\":0}\n");
  CHECK(encode_display(2, "Bon voyage\n") == "{\"t\":\"display\",\"lane\":2,\"text\":\"Bon voyage\\n\"}\n");
  CHECK(encode_error("bad \"t\"") == "{\"t\":\"error\",\"msg\":\"bad \\\"t\\\"\"}\n");
  // invalid UTF-8 never makes encoding fail
  const auto replaced = nlohmann::json::parse(encode_display(1, "caf\xe9"));
  CHECK(replaced["text"] == "caf\xef\xbf\xbd");
}
