// normalize_scan_text: CR/LF suffixes and a leading AIM symbology identifier go, the
// code's content stays untouched.
#include <catch2/catch.hpp>

#include "hw/scan_text.hpp"

using passgate::hw::normalize_scan_text;

TEST_CASE("trailing CR and LF are removed in any mix") {
  CHECK(normalize_scan_text("eyJhbGciOi.x.y\r\n") == "eyJhbGciOi.x.y");
  CHECK(normalize_scan_text("eyJ\n") == "eyJ");
  CHECK(normalize_scan_text("eyJ\r") == "eyJ");
  CHECK(normalize_scan_text("eyJ\n\r\r\n") == "eyJ");
  CHECK(normalize_scan_text("eyJ") == "eyJ");
}

TEST_CASE("a leading AIM identifier is removed") {
  CHECK(normalize_scan_text("]Q1eyJhbGciOi.x.y\r\n") == "eyJhbGciOi.x.y");
  CHECK(normalize_scan_text("]Q0eyJ") == "eyJ");
  CHECK(normalize_scan_text("]Q9eyJ") == "eyJ");
  CHECK(normalize_scan_text("]d2eyJ") == "eyJ");
  CHECK(normalize_scan_text("]C1eyJ") == "eyJ");
}

TEST_CASE("only one identifier of the exact shape is removed") {
  CHECK(normalize_scan_text("]Q1]Q1eyJ") == "]Q1eyJ");
  CHECK(normalize_scan_text("]QAeyJ") == "]QAeyJ");  // modifier must be a digit
  CHECK(normalize_scan_text("]1QeyJ") == "]1QeyJ");
  CHECK(normalize_scan_text("]Q") == "]Q");
  CHECK(normalize_scan_text("x]Q1eyJ") == "x]Q1eyJ");
}

TEST_CASE("the content is otherwise left alone") {
  CHECK(normalize_scan_text("") == "");
  CHECK(normalize_scan_text("\r\n") == "");
  CHECK(normalize_scan_text("]Q1\r\n") == "");
  CHECK(normalize_scan_text(" eyJ \r\n") == " eyJ ");
  CHECK(normalize_scan_text("ey\r\nJ") == "ey\r\nJ");
}
