// parse_carts_page: a good page, and every way a page or one of its carts can be wrong,
// each named with where it is.
#include <catch2/catch.hpp>

#include "controller/carts_page.hpp"

using passgate::controller::parse_carts_page;

namespace {

constexpr const char* kGoodCart =
    R"({"session_id":"s1","state":"final","currency":"USD","total_minor":1234,"items":[],"finalized_at":"2026-11-21T18:21:40.002Z"})";

// The error message for a page whose second cart is `cart`.
std::string error_for_second_cart(const std::string& cart) {
  const std::string body = std::string(R"({"carts":[)") + kGoodCart + "," + cart + R"(],"next_cursor":"c1"})";
  auto page = parse_carts_page(body);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == "bad_feed");
  return page.error().message;
}

std::string error_for(const std::string& body) {
  auto page = parse_carts_page(body);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == "bad_feed");
  return page.error().message;
}

}  // namespace

TEST_CASE("a page of final carts is read with its cursor") {
  auto page = parse_carts_page(std::string(R"({"carts":[)") + kGoodCart +
                               R"(,{"session_id":"s2","state":"final","currency":"EUR","total_minor":0,"finalized_at":"t"}],"next_cursor":"c9"})");
  REQUIRE(page.ok());
  REQUIRE(page->carts.size() == 2);
  CHECK(page->carts[0].session_id == "s1");
  CHECK(page->carts[0].currency == "USD");
  CHECK(page->carts[0].total_minor == 1234);
  CHECK(page->carts[0].finalized_at == "2026-11-21T18:21:40.002Z");
  CHECK(page->carts[1].total_minor == 0);
  CHECK(page->next_cursor == "c9");
}

TEST_CASE("an empty page needs no cursor") {
  for (const char* body : {R"({"carts":[]})", R"({"carts":[],"next_cursor":null})", R"({"carts":[],"next_cursor":"c1"})"}) {
    INFO(body);
    auto page = parse_carts_page(body);
    REQUIRE(page.ok());
    CHECK(page->carts.empty());
  }
}

TEST_CASE("a page that is not a JSON object is refused") {
  CHECK(error_for("") == "body: expected a JSON object");
  CHECK(error_for("<html></html>") == "body: expected a JSON object");
  CHECK(error_for("[]") == "body: expected a JSON object");
  CHECK(error_for(R"({"carts":[)") == "body: expected a JSON object");
}

TEST_CASE("a page without an array of carts is refused") {
  CHECK(error_for("{}") == "carts: expected an array");
  CHECK(error_for(R"({"carts":{}})") == "carts: expected an array");
}

TEST_CASE("a page with carts but no usable cursor is refused") {
  const std::string carts = std::string(R"({"carts":[)") + kGoodCart + "]";
  CHECK(error_for(carts + "}") == "next_cursor: expected a cursor after carts");
  CHECK(error_for(carts + R"(,"next_cursor":""})") == "next_cursor: expected a cursor after carts");
  CHECK(error_for(carts + R"(,"next_cursor":7})") == "next_cursor: expected a string");
}

TEST_CASE("every bad field of a cart is named with the cart's index") {
  CHECK(error_for_second_cart("7") == "carts[1]: expected an object");
  CHECK(error_for_second_cart(R"({"state":"final","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "carts[1].session_id: expected a non-empty string");
  CHECK(error_for_second_cart(R"({"session_id":"","state":"final","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "carts[1].session_id: expected a non-empty string");
  CHECK(error_for_second_cart(R"({"session_id":"s2","state":"open","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "carts[1].state: expected \"final\"");
  CHECK(error_for_second_cart(R"({"session_id":"s2","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "carts[1].state: expected \"final\"");
  for (const char* currency : {R"("usd")", R"("US")", R"("USDX")", "840", "null"}) {
    INFO(currency);
    CHECK(error_for_second_cart(std::string(R"({"session_id":"s2","state":"final","currency":)") + currency +
                                R"(,"total_minor":1,"finalized_at":"t"})") ==
          "carts[1].currency: expected an ISO 4217 code such as \"USD\"");
  }
  for (const char* total : {"-1", "12.5", R"("100")", "null"}) {
    INFO(total);
    CHECK(error_for_second_cart(std::string(R"({"session_id":"s2","state":"final","currency":"USD","total_minor":)") +
                                total + R"(,"finalized_at":"t"})") ==
          "carts[1].total_minor: expected a non-negative integer (minor units)");
  }
  CHECK(error_for_second_cart(R"({"session_id":"s2","state":"final","currency":"USD","finalized_at":"t"})") ==
        "carts[1].total_minor: expected a non-negative integer (minor units)");
  CHECK(error_for_second_cart(R"({"session_id":"s2","state":"final","currency":"USD","total_minor":1})") ==
        "carts[1].finalized_at: expected an RFC 3339 time");
  CHECK(error_for_second_cart(R"({"session_id":"s2","state":"final","currency":"USD","total_minor":1,"finalized_at":5})") ==
        "carts[1].finalized_at: expected an RFC 3339 time");
}
