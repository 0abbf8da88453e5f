// CartsFeed with a FakeTracking engine and a real database: the GET it builds, carts and
// cursor recorded together, a bad page or an unreachable engine leaving the cursor where it
// was until the next interval, a bad cart quarantined while the feed moves on, unknown
// sessions skipped, full pages fetched back to back.
#include <catch2/catch.hpp>

#include "controller/settlement/carts_feed.hpp"
#include "db/cart_quarantine.hpp"
#include "tests/admission/fake_tracking.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

constexpr Millis kInterval{2000};

std::string cart_json(const std::string& session_id, std::int64_t total_minor) {
  return R"({"session_id":")" + session_id + R"(","state":"final","currency":"USD","total_minor":)" +
         std::to_string(total_minor) +
         R"(,"items":[{"sku":"012345","name":"Cold brew","qty":1,"unit_minor":399}],"finalized_at":"2026-11-21T18:21:40.002Z"})";
}

std::string page_json(const std::vector<std::string>& carts, const std::string& next_cursor) {
  std::string body = R"({"carts":[)";
  for (std::size_t i = 0; i < carts.size(); ++i) body += (i == 0 ? "" : ",") + carts[i];
  return body + R"(],"next_cursor":")" + next_cursor + R"("})";
}

const std::string kFirstTarget = "/v1/carts?store_id=store%2042&gate_id=gate-a&limit=2";
const std::string kAfterC1 = "/v1/carts?store_id=store%2042&gate_id=gate-a&after=c%2F1&limit=2";

struct FeedFixture : SettlementFixture {
  FakeTracking tracking{vt};
  int recorded_calls = 0;
  controller::CartsFeed feed{controller::CartsFeedSettings{{"store 42", "gate-a"}, kInterval, 2, Millis{5000},
                                                               controller::CartLimits{}},
                             tracking, store, vt, vt, [this] { ++recorded_calls; }};

  FeedFixture() {
    add_session("s1");
    add_session("s2");
    add_session("s3");
  }
  std::optional<std::string> cursor() {
    auto c = store.cursor(controller::CartsFeed::kFeedName);
    REQUIRE(db::test::describe(c) == "ok");
    return *c;
  }
  std::optional<db::FinalCart> cart(const std::string& session_id) {
    auto c = store.cart(session_id);
    REQUIRE(db::test::describe(c) == "ok");
    return *c;
  }
  // The target of the one open request.
  std::string asked() {
    REQUIRE(tracking.calls.size() == 1);
    return tracking.calls.front().target;
  }
  void reply(int status, const std::string& body = {}) {
    tracking.reply(status, body);
    vt.run_ready();
  }
  // Checks nothing is asked until the interval is over, then that `target` is.
  void asks_again_after_interval(const std::string& target) {
    vt.advance(kInterval - Millis{1});
    CHECK(tracking.calls.empty());
    vt.advance(Millis{1});
    CHECK(asked() == target);
  }
};

}  // namespace

TEST_CASE("the feed asks for the gate's carts with store, gate, cursor and limit") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  CHECK(f.asked() == kFirstTarget);  // no cursor yet: no after
  f.reply(200, page_json({cart_json("s1", 1234)}, "c/1"));
  f.asks_again_after_interval(kAfterC1);
}

TEST_CASE("the feed records a page's carts and then advances the cursor") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("s1", 1234)}, "c/1"));
  const auto recorded = f.cart("s1");
  REQUIRE(recorded.has_value());
  CHECK(recorded->total_minor == 1234);
  CHECK(recorded->currency == "USD");
  CHECK(recorded->finalized_at == "2026-11-21T18:21:40.002Z");
  CHECK(f.cursor() == "c/1");
  CHECK(f.feed.carts_recorded() == 1);
  CHECK(f.recorded_calls == 1);
  CHECK(f.feed.last_error().empty());
}

TEST_CASE("an empty page leaves the cursor and asks again at the next interval") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, R"({"carts":[],"next_cursor":null})");
  CHECK_FALSE(f.cursor().has_value());
  CHECK(f.recorded_calls == 0);
  f.asks_again_after_interval(kFirstTarget);
}

TEST_CASE("a page the gate cannot read leaves the cursor and is asked for again at the next interval") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("s1", 1234)}, "c/1"));
  f.vt.advance(kInterval);
  REQUIRE(f.asked() == kAfterC1);

  f.reply(200, "<html>502 Bad Gateway</html>");
  CHECK(f.cursor() == "c/1");
  CHECK(f.feed.carts_recorded() == 1);
  CHECK_FALSE(f.feed.last_error().empty());
  f.asks_again_after_interval(kAfterC1);

  // The engine sends it readable this time: recorded, the cursor moves on.
  f.reply(200, page_json({cart_json("s2", 50)}, "c2"));
  CHECK(f.cart("s2").has_value());
  CHECK(f.cursor() == "c2");
  CHECK(f.feed.last_error().empty());
}

TEST_CASE("one cart the gate cannot read is quarantined and the feed moves on past it") {
  const std::string bad = GENERATE(std::string(R"({"session_id":"s2","state":"final","currency":"USD","finalized_at":"t"})"),
                                   R"({"session_id":"s2","state":"final","currency":"USD","total_minor":-5,"finalized_at":"t"})",
                                   R"({"session_id":"s2","state":"final","currency":"USD","total_minor":12.5,"finalized_at":"t"})",
                                   R"({"session_id":"s2","state":"final","currency":"USD","total_minor":"12","finalized_at":"t"})",
                                   R"({"session_id":"s2","state":"final","currency":"usd","total_minor":12,"finalized_at":"t"})");
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("s1", 10), bad, cart_json("s3", 30)}, "c2"));
  CHECK(f.cursor() == "c2");  // the shoppers after it are not held up
  CHECK(f.cart("s1")->total_minor == 10);
  CHECK(f.cart("s3")->total_minor == 30);
  CHECK_FALSE(f.cart("s2").has_value());  // never charged as it came
  CHECK(f.feed.carts_quarantined() == 1);
  CHECK(f.feed.last_error().empty());
  auto open = db::CartQuarantine(*f.t.db).open(0);
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().cart.session_id == "s2");
  CHECK(open->front().cart.reason == db::QuarantineReason::unreadable);
  CHECK(open->front().cart.raw == bad);

  // Delivered again (the engine replays its feed): not quarantined twice, still not charged.
  f.vt.advance(kInterval);
  f.reply(200, page_json({bad, cart_json("s2", 20)}, "c3"));
  CHECK(f.cursor() == "c3");
  CHECK(db::CartQuarantine(*f.t.db).open(0)->size() == 1);
  CHECK_FALSE(f.cart("s2").has_value());
  CHECK(f.feed.carts_quarantined() == 1);
}

TEST_CASE("a cart in a foreign currency or above payments.max_cart_minor is quarantined, never recorded to charge") {
  FeedFixture f;
  const auto cart_in = [](const std::string& session_id, const std::string& currency, const std::string& total) {
    return R"({"session_id":")" + session_id + R"(","state":"final","currency":")" + currency +
           R"(","total_minor":)" + total + R"(,"finalized_at":"t"})";
  };
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_in("s1", "EUR", "100"), cart_in("s2", "USD", "9223372036854775807"),
                          cart_in("s3", "USD", "10000000")},
                         "c/1"));
  CHECK(f.cursor() == "c/1");
  CHECK_FALSE(f.cart("s1").has_value());
  CHECK_FALSE(f.cart("s2").has_value());
  CHECK(f.cart("s3")->total_minor == 10'000'000);  // the default bound itself is charged
  auto open = db::CartQuarantine(*f.t.db).open(0);
  REQUIRE(open->size() == 2);
  CHECK(open->at(0).cart.reason == db::QuarantineReason::currency);
  CHECK(open->at(1).cart.reason == db::QuarantineReason::over_limit);
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().session_id == "s3");
}

TEST_CASE("carts of sessions the gate never opened are skipped, never recorded") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("ghost", 999)}, "c/1"));
  CHECK_FALSE(f.cart("ghost").has_value());
  CHECK(f.cursor() == "c/1");  // skipped for good: the engine is not asked for it again
  CHECK(f.feed.carts_recorded() == 0);
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates.ok());
  CHECK(candidates->empty());
}

TEST_CASE("a repeated cart is ignored") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("s1", 1234)}, "c/1"));
  f.vt.advance(kInterval);
  f.reply(200, page_json({cart_json("s1", 1)}, "c3"));
  CHECK(f.cart("s1")->total_minor == 1234);
  CHECK(f.feed.carts_recorded() == 1);
  CHECK(f.cursor() == "c3");
}

TEST_CASE("a full page is followed at once by the next one") {
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(200, page_json({cart_json("s1", 1), cart_json("s2", 2)}, "c/1"));  // limit 2: full
  CHECK(f.asked() == kAfterC1);  // without waiting for the interval
  f.reply(200, page_json({cart_json("s3", 3)}, "c4"));
  CHECK(f.feed.carts_recorded() == 3);
  CHECK(f.tracking.calls.empty());
  f.asks_again_after_interval("/v1/carts?store_id=store%2042&gate_id=gate-a&after=c4&limit=2");
}

TEST_CASE("an unreachable tracking engine is asked again at the next interval") {
  const int status = GENERATE(0, 503, 404);
  FeedFixture f;
  f.feed.start();
  f.vt.run_ready();
  f.reply(status, "unavailable");
  CHECK_FALSE(f.cursor().has_value());
  CHECK_FALSE(f.feed.last_error().empty());
  f.asks_again_after_interval(kFirstTarget);
  f.reply(200, page_json({cart_json("s1", 1234)}, "c/1"));
  CHECK(f.cursor() == "c/1");
}
