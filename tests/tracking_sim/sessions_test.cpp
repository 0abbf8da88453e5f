// The simulator's POST /v1/sessions, cancel and one-cart endpoints: the contract's status
// codes, idempotent retries, blocked shoppers, and 400s that name what is wrong.
#include <catch2/catch.hpp>

#include "tests/tracking_sim/sim_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("opening a session: 201 created, 200 for an identical retry, 409 for a different body") {
  SimFixture f;
  const std::string id = new_uuid_v4();

  const HttpReply created = f.post("/v1/sessions", session_body(id));
  CHECK(created.status == 201);
  CHECK(json::parse(created.body) == json{{"session_id", id}, {"state", "open"}});

  const HttpReply retried = f.post("/v1/sessions", session_body(id));
  CHECK(retried.status == 200);
  CHECK(retried.body == created.body);

  const HttpReply different = f.post("/v1/sessions", session_body(id, "shp_8f2c", 3));
  CHECK(different.status == 409);
  CHECK(json::parse(different.body)["error"] == "conflict");

  REQUIRE(f.server->sessions().size() == 1);
  const auto& s = f.server->sessions()[0];
  CHECK(s.session_id == id);
  CHECK(s.group_size == 2);
  CHECK(s.lane == 1);
  CHECK(s.shopper == "shp_8f2c");
  CHECK(s.state == sim::TrackingSessionState::open);
}

TEST_CASE("a retry is recognised whatever the member order and spacing") {
  SimFixture f;
  const std::string id = new_uuid_v4();
  const json body = json::parse(session_body(id));
  REQUIRE(f.post("/v1/sessions", body.dump()).status == 201);
  CHECK(f.post("/v1/sessions", body.dump(2)).status == 200);
}

TEST_CASE("a blocked shopper is refused with 403 shopper_blocked and no session") {
  SECTION("blocked from the start") {
    sim::TrackingServerOptions options;
    options.blocked_shoppers = {"shp_blocked"};
    SimFixture f(options);
    const HttpReply reply = f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_blocked"));
    CHECK(reply.status == 403);
    CHECK(json::parse(reply.body) == json{{"error", "shopper_blocked"}});
    CHECK(f.server->sessions().empty());
  }
  SECTION("blocked and unblocked while running") {
    SimFixture f;
    f.server->block_shopper("shp_x");
    CHECK(f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_x")).status == 403);
    CHECK(f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_other")).status == 201);
    f.server->engine().unblock_shopper("shp_x");
    CHECK(f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_x")).status == 201);
  }
  SECTION("a retry of a session created before the block still gets 200") {
    SimFixture f;
    const std::string id = new_uuid_v4();
    REQUIRE(f.post("/v1/sessions", session_body(id, "shp_x")).status == 201);
    f.server->block_shopper("shp_x");
    CHECK(f.post("/v1/sessions", session_body(id, "shp_x")).status == 200);
  }
}

TEST_CASE("malformed and incomplete session bodies get 400 naming every problem") {
  SimFixture f;

  const HttpReply malformed = f.post("/v1/sessions", R"({"session_id": )");
  CHECK(malformed.status == 400);
  CHECK(json::parse(malformed.body)["error"] == "bad_request");
  CHECK_THAT(malformed.body, Contains("malformed JSON"));

  CHECK(f.post("/v1/sessions", "[1,2]").status == 400);

  json body = json::parse(session_body(new_uuid_v4()));
  body["lane"] = "1";
  body["group_size"] = 0;
  body["admitted_at"] = "2026-11-21 18:04:05";
  body.erase("token_id");
  body["session_id"] = "not-a-uuid";
  const HttpReply bad = f.post("/v1/sessions", body.dump());
  CHECK(bad.status == 400);
  const std::string message = json::parse(bad.body)["message"];
  for (const char* field : {"session_id:", "lane:", "group_size:", "admitted_at:", "token_id: missing"}) {
    CHECK_THAT(message, Contains(field));
  }
  CHECK(f.server->sessions().empty());
}

TEST_CASE("every API request must carry X-Gate-Id, and it must match the body's gate_id") {
  SimFixture f;
  const HttpReply anonymous = f.api(HttpMethod::post, "/v1/sessions", session_body(new_uuid_v4()), "");
  CHECK(anonymous.status == 400);
  CHECK_THAT(anonymous.body, Contains("X-Gate-Id"));
  CHECK(f.api(HttpMethod::get, "/v1/sessions/x/cart", {}, "").status == 400);

  const HttpReply mismatch = f.api(HttpMethod::post, "/v1/sessions", session_body(new_uuid_v4()), "gate-b");
  CHECK(mismatch.status == 400);
  CHECK_THAT(mismatch.body, Contains("gate-b"));
  CHECK(f.server->sessions().empty());
}

TEST_CASE("cancelling a session is idempotent and keeps the first reason") {
  SimFixture f;
  const std::string id = f.open_session();
  const std::string target = controller::cancel_target(id);

  const HttpReply first = f.post(target, controller::cancel_body());
  CHECK(first.status == 200);
  CHECK(json::parse(first.body) == json{{"session_id", id}, {"state", "cancelled"}});
  CHECK(f.post(target, R"({"reason":"something_else"})").status == 200);

  const auto& s = f.server->sessions().at(0);
  CHECK(s.state == sim::TrackingSessionState::cancelled);
  CHECK(s.cancel_reason == "no_passage");

  CHECK(f.post(controller::cancel_target(new_uuid_v4()), controller::cancel_body()).status == 404);
  CHECK(f.post(target, "{}").status == 400);
}

TEST_CASE("one cart: open, cancelled and final states, 404 for an unknown session") {
  SimFixture f;
  const std::string open_id = f.open_session();
  const json open_cart = json::parse(f.get("/v1/sessions/" + open_id + "/cart").body);
  CHECK(open_cart["state"] == "open");
  CHECK(open_cart["total_minor"] == 0);
  CHECK(open_cart["items"].empty());

  const std::string cancelled_id = f.open_session();
  REQUIRE(f.post(controller::cancel_target(cancelled_id), controller::cancel_body()).status == 200);
  CHECK(json::parse(f.get("/v1/sessions/" + cancelled_id + "/cart").body)["state"] == "cancelled");

  REQUIRE(f.server->engine().finalize_cart(open_id, "USD", {{"012345", "Cold brew", 2, 399}}));
  const json final_cart = json::parse(f.get("/v1/sessions/" + open_id + "/cart").body);
  CHECK(final_cart["state"] == "final");
  CHECK(final_cart["total_minor"] == 798);
  CHECK(final_cart["currency"] == "USD");
  CHECK(final_cart.contains("finalized_at"));

  const HttpReply unknown = f.get("/v1/sessions/" + new_uuid_v4() + "/cart");
  CHECK(unknown.status == 404);
  CHECK(json::parse(unknown.body)["error"] == "not_found");
  CHECK(f.get("/v1/nowhere").status == 404);
}
