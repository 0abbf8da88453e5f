// The simulator's POST /v1/passages (202, duplicates accepted once) and the final-carts
// feed GET /v1/carts (this gate's carts, oldest first, paged by an opaque cursor).
#include <catch2/catch.hpp>

#include "tests/tracking_sim/sim_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("passages are accepted with 202, and a repeated passage_id is not counted twice") {
  SimFixture f;
  const std::string session = f.open_session();
  const std::string first = new_uuid_v4();
  const std::string second = new_uuid_v4();

  CHECK(f.post("/v1/passages", passage_body(first, session)).status == 202);
  CHECK(f.post("/v1/passages", passage_body(first, session)).status == 202);
  CHECK(f.post("/v1/passages", passage_body(second, std::nullopt, controller::PassageKind::tailgate)).status == 202);

  const auto& passages = f.server->passages();
  REQUIRE(passages.size() == 2);
  CHECK(passages[0].passage_id == first);
  CHECK(passages[0].session_id == session);
  CHECK(passages[0].kind == "admitted");
  CHECK(passages[0].direction == "in");
  CHECK(passages[1].passage_id == second);
  CHECK_FALSE(passages[1].session_id.has_value());
  CHECK(passages[1].kind == "tailgate");
  CHECK(f.server->engine().duplicate_passages() == 1);
}

TEST_CASE("a passage with a bad kind, direction or time gets 400 naming them") {
  SimFixture f;
  json body = json::parse(passage_body(new_uuid_v4(), std::nullopt));
  body["kind"] = "teleport";
  body["direction"] = "up";
  body.erase("at");
  const HttpReply reply = f.post("/v1/passages", body.dump());
  CHECK(reply.status == 400);
  CHECK_THAT(reply.body, Contains("kind:") && Contains("direction:") && Contains("at: missing"));
  CHECK(f.server->passages().empty());
}

TEST_CASE("the final-carts feed returns this gate's finalized carts, oldest first, paged by cursor") {
  SimFixture f;
  const std::string a = f.open_session();
  const std::string b = f.open_session();
  const std::string other_gate = new_uuid_v4();
  REQUIRE(f.api(HttpMethod::post, "/v1/sessions", session_body(other_gate, "shp_b", 1, kGateB), "gate-b").status == 201);
  const std::string feed = "/v1/carts?store_id=store-0042&gate_id=gate-a";

  json page = json::parse(f.get(feed).body);
  CHECK(page["carts"].empty());
  const std::string start = page["next_cursor"];

  auto& engine = f.server->engine();
  REQUIRE(engine.finalize_cart(b, "USD", {}));
  REQUIRE(engine.finalize_cart(other_gate, "USD", {{"1", "Gum", 1, 100}}));
  REQUIRE(engine.finalize_cart(a, "EUR", {{"012345", "Cold brew", 2, 399}, {"7", "Apple", 3, 50}}));

  page = json::parse(f.get(feed + "&after=" + start + "&limit=1").body);
  REQUIRE(page["carts"].size() == 1);
  CHECK(page["carts"][0]["session_id"] == b);
  CHECK(page["carts"][0]["total_minor"] == 0);
  CHECK(page["carts"][0]["state"] == "final");

  page = json::parse(f.get(feed + "&after=" + page["next_cursor"].get<std::string>()).body);
  REQUIRE(page["carts"].size() == 1);
  const json& cart = page["carts"][0];
  CHECK(cart["session_id"] == a);
  CHECK(cart["currency"] == "EUR");
  CHECK(cart["total_minor"] == 948);
  CHECK(cart["items"] == json::array({{{"sku", "012345"}, {"name", "Cold brew"}, {"qty", 2}, {"unit_minor", 399}},
                                      {{"sku", "7"}, {"name", "Apple"}, {"qty", 3}, {"unit_minor", 50}}}));

  page = json::parse(f.get(feed + "&after=" + page["next_cursor"].get<std::string>()).body);
  CHECK(page["carts"].empty());

  // From the beginning again: both, in finalization order.
  page = json::parse(f.get(feed).body);
  REQUIRE(page["carts"].size() == 2);
  CHECK(page["carts"][0]["session_id"] == b);
  CHECK(page["carts"][1]["session_id"] == a);
}

TEST_CASE("the feed refuses missing parameters, unknown cursors and bad limits") {
  SimFixture f;
  CHECK_THAT(f.get("/v1/carts?gate_id=gate-a").body, Contains("store_id: missing"));
  CHECK(f.get("/v1/carts?store_id=store-0042&gate_id=gate-a&after=bogus").status == 400);
  CHECK(f.get("/v1/carts?store_id=store-0042&gate_id=gate-a&after=feed-99").status == 400);
  CHECK(f.get("/v1/carts?store_id=store-0042&gate_id=gate-a&limit=0").status == 400);
  CHECK(f.get("/v1/carts?store_id=store-0042&gate_id=gate-b").status == 400);  // not the caller's gate
}

TEST_CASE("only open sessions can be finalized") {
  SimFixture f;
  auto& engine = f.server->engine();
  const std::string id = f.open_session();
  REQUIRE(engine.finalize_cart(id, "USD", {}));
  const auto again = engine.finalize_cart(id, "USD", {});
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "conflict");
  CHECK(engine.finalize_cart(new_uuid_v4(), "USD", {}).error().code == "not_found");
  CHECK(f.post(controller::cancel_target(id), controller::cancel_body()).status == 409);
}
