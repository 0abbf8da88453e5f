// parse_carts_page: a good page; a page whose envelope is wrong is refused with where; a cart
// that is wrong (unreadable, a foreign currency, a total above the bound) is quarantined with
// its reason and its JSON as received, and the carts after it are still read.
#include <catch2/catch.hpp>

#include "controller/settlement/carts_page.hpp"

using passgate::controller::CartLimits;
using passgate::controller::parse_carts_page;
using passgate::db::QuarantineReason;

namespace {

const CartLimits kLimits{"USD", 10'000'000};

constexpr const char* kGoodCart =
    R"({"session_id":"s1","state":"final","currency":"USD","total_minor":1234,"items":[],"finalized_at":"2026-11-21T18:21:40.002Z"})";
constexpr const char* kLastCart =
    R"({"session_id":"s3","state":"final","currency":"USD","total_minor":5,"finalized_at":"t"})";

std::string error_for(const std::string& body) {
  auto page = parse_carts_page(body, kLimits);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == "bad_feed");
  return page.error().message;
}

// The page with `cart` between two good carts: the good ones are read, `cart` is quarantined.
passgate::db::QuarantinedCart quarantined_second(const std::string& cart) {
  const std::string body =
      std::string(R"({"carts":[)") + kGoodCart + "," + cart + "," + kLastCart + R"(],"next_cursor":"c1"})";
  auto page = parse_carts_page(body, kLimits);
  REQUIRE(page.ok());
  REQUIRE(page->carts.size() == 2);
  CHECK(page->carts[0].session_id == "s1");
  CHECK(page->carts[1].session_id == "s3");
  CHECK(page->next_cursor == "c1");
  REQUIRE(page->quarantined.size() == 1);
  return page->quarantined.front();
}

std::string unreadable_detail(const std::string& cart) {
  const auto q = quarantined_second(cart);
  CHECK(q.reason == QuarantineReason::unreadable);
  return q.detail;
}

std::string with_total(const std::string& total) {
  return R"({"session_id":"s2","state":"final","currency":"USD","total_minor":)" + total + R"(,"finalized_at":"t"})";
}

std::string with_currency(const std::string& currency) {
  return R"({"session_id":"s2","state":"final","currency":)" + currency + R"(,"total_minor":1,"finalized_at":"t"})";
}

}  // namespace

TEST_CASE("a page of final carts is read with its cursor") {
  auto page = parse_carts_page(std::string(R"({"carts":[)") + kGoodCart +
                                   R"(,{"session_id":"s2","state":"final","currency":"USD","total_minor":0,"finalized_at":"t"}],"next_cursor":"c9"})",
                               kLimits);
  REQUIRE(page.ok());
  REQUIRE(page->carts.size() == 2);
  CHECK(page->carts[0].session_id == "s1");
  CHECK(page->carts[0].currency == "USD");
  CHECK(page->carts[0].total_minor == 1234);
  CHECK(page->carts[0].finalized_at == "2026-11-21T18:21:40.002Z");
  CHECK(page->carts[1].total_minor == 0);
  CHECK(page->next_cursor == "c9");
  CHECK(page->quarantined.empty());
}

TEST_CASE("an empty page needs no cursor") {
  for (const char* body : {R"({"carts":[]})", R"({"carts":[],"next_cursor":null})", R"({"carts":[],"next_cursor":"c1"})"}) {
    INFO(body);
    auto page = parse_carts_page(body, kLimits);
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
  // Even when its only cart is one the gate would quarantine.
  CHECK(error_for(R"({"carts":[7]})") == "next_cursor: expected a cursor after carts");
}

TEST_CASE("a cart in another currency than the gate's is quarantined, not charged") {
  for (const char* currency : {"EUR", "JPY", "XXX"}) {
    INFO(currency);
    const auto q = quarantined_second(with_currency(std::string("\"") + currency + "\""));
    CHECK(q.reason == QuarantineReason::currency);
    CHECK(q.session_id == "s2");
    CHECK(q.finalized_at == "t");
    CHECK(q.detail == std::string("currency ") + currency + " is not the gate's currency USD (payments.currency)");
    CHECK(q.raw == with_currency(std::string("\"") + currency + "\""));
  }
}

TEST_CASE("a cart whose total exceeds payments.max_cart_minor is quarantined, not charged") {
  CHECK(quarantined_second(with_total("10000001")).detail == "total_minor 10000001 exceeds payments.max_cart_minor 10000000");
  const auto huge = quarantined_second(with_total("9223372036854775807"));
  CHECK(huge.reason == QuarantineReason::over_limit);
  CHECK(huge.session_id == "s2");
  CHECK(huge.detail == "total_minor 9223372036854775807 exceeds payments.max_cart_minor 10000000");
  // The bound itself is charged.
  auto page = parse_carts_page(R"({"carts":[)" + with_total("10000000") + R"(],"next_cursor":"c1"})", kLimits);
  REQUIRE(page.ok());
  CHECK(page->carts.size() == 1);
  CHECK(page->quarantined.empty());
}

TEST_CASE("a cart the gate cannot read is quarantined with what is wrong, its session named when readable") {
  CHECK(unreadable_detail(R"({"session_id":"s2","state":"open","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "state: expected \"final\"");
  CHECK(unreadable_detail(R"({"session_id":"s2","currency":"USD","total_minor":1,"finalized_at":"t"})") ==
        "state: expected \"final\"");
  for (const char* currency : {R"("usd")", R"("US")", R"("USDX")", "840", "null"}) {
    INFO(currency);
    CHECK(unreadable_detail(with_currency(currency)) == "currency: expected an ISO 4217 code such as \"USD\"");
    CHECK(quarantined_second(with_currency(currency)).session_id == "s2");
  }
  for (const char* total : {"-1", "12.5", R"("100")", "null", "9223372036854775808", "18446744073709551616", "1e3"}) {
    INFO(total);
    CHECK(unreadable_detail(with_total(total)) == "total_minor: expected a non-negative integer (minor units)");
  }
  CHECK(unreadable_detail(R"({"session_id":"s2","state":"final","currency":"USD","finalized_at":"t"})") ==
        "total_minor: expected a non-negative integer (minor units)");
  CHECK(unreadable_detail(R"({"session_id":"s2","state":"final","currency":"USD","total_minor":1})") ==
        "finalized_at: expected an RFC 3339 time");
  CHECK(unreadable_detail(R"({"session_id":"s2","state":"final","currency":"USD","total_minor":1,"finalized_at":5})") ==
        "finalized_at: expected an RFC 3339 time");
}

TEST_CASE("a cart without a readable session is quarantined without one, its JSON kept") {
  const auto not_object = quarantined_second("7");
  CHECK(not_object.detail == "expected a cart object");
  CHECK(not_object.session_id.empty());
  CHECK(not_object.raw == "7");
  for (const std::string& cart : std::vector<std::string>{R"({"state":"final","currency":"USD","total_minor":1,"finalized_at":"t"})",
                                 R"({"session_id":"","state":"final","currency":"USD","total_minor":1,"finalized_at":"t"})",
                                 R"({"session_id":7,"state":"final","currency":"USD","total_minor":1,"finalized_at":"t"})",
                                 R"({"session_id":")" + std::string(129, 'a') + R"(","state":"final"})"}) {
    INFO(cart);
    const auto q = quarantined_second(cart);
    CHECK(q.detail == "session_id: expected a non-empty string of at most 128 bytes");
    CHECK(q.session_id.empty());
  }
}

TEST_CASE("a quarantined cart's JSON is kept whole here (the store cuts it), cut on a character by bounded_raw") {
  const std::string head = R"({"session_id":"s2","state":"final","currency":"EUR","total_minor":1,"finalized_at":"t",)"
                           R"("items":[{"name":")";
  // An e-acute (2 bytes) across the bound: the cut comes before it.
  const std::string cart = head + std::string(passgate::db::kRawCartBytes - 1 - head.size(), 'y') + "\xC3\xA9" +
                           std::string(3000, 'x') + R"("}]})";
  const auto q = quarantined_second(cart);
  CHECK(q.raw == cart);
  CHECK(passgate::db::bounded_raw(q.raw) ==
        cart.substr(0, passgate::db::kRawCartBytes - 1) + "... (" + std::to_string(cart.size()) + " bytes)");
}

// Found by the settlement model: an engine's cart above the bound, then a later cart of the same
// session in the same page; the later one reached the store as a cart to charge before the first
// one was quarantined, and was charged. A session is settled on its first cart only.
TEST_CASE("a later cart of a session named earlier in the page is a repeat: dropped, counted") {
  const std::string body = std::string(R"({"carts":[)") + with_total("10000001") + "," + with_total("1999") + "," +
                           kGoodCart + "," + with_currency("12") + R"(],"next_cursor":"c1"})";
  auto page = parse_carts_page(body, kLimits);
  REQUIRE(page.ok());
  REQUIRE(page->quarantined.size() == 1);
  CHECK(page->quarantined[0].session_id == "s2");
  CHECK(page->quarantined[0].reason == QuarantineReason::over_limit);
  REQUIRE(page->carts.size() == 1);
  CHECK(page->carts[0].session_id == "s1");
  CHECK(page->repeats == 2);

  auto first_good = parse_carts_page(std::string(R"({"carts":[)") + with_total("1999") + "," +
                                         with_total("10000001") + R"(],"next_cursor":"c1"})",
                                     kLimits);
  REQUIRE(first_good.ok());
  REQUIRE(first_good->carts.size() == 1);
  CHECK(first_good->carts[0].total_minor == 1999);
  CHECK(first_good->quarantined.empty());
  CHECK(first_good->repeats == 1);
}
