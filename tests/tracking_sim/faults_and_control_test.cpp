// The simulator's faults (unreachable, slow, error5xx) switched while it runs, through the
// C++ API and the control port, and the control port's other endpoints.
#include <catch2/catch.hpp>

#include "tests/tracking_sim/sim_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("unreachable refuses and drops API connections, back to none, the API works again") {
  SimFixture f;
  REQUIRE(f.get("/v1/sessions/x/cart").status == 404);  // a kept-alive connection exists now

  REQUIRE(f.server->set_fault({sim::TrackingFaultMode::unreachable, {}}));
  const HttpReply down = f.post("/v1/sessions", session_body(new_uuid_v4()));
  CHECK(down.status == 0);
  CHECK(down.unreachable());
  CHECK(f.server->sessions().empty());
  CHECK(f.state()["fault"]["mode"] == "unreachable");  // the control port stays up

  REQUIRE(f.server->set_fault({}));
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4())).status == 201);
}

TEST_CASE("faults switched over the control port") {
  SimFixture f;
  const auto fault = [&f](const std::string& body) { return f.control(HttpMethod::post, "/control/fault", body); };

  REQUIRE(fault(R"({"mode":"unreachable","delay_ms":0})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4())).status == 0);

  REQUIRE(fault(R"({"mode":"error5xx"})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4())).status == 503);
  CHECK(f.server->sessions().empty());  // nothing took effect

  REQUIRE(fault(R"({"mode":"slow","delay_ms":20})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4())).status == 201);  // late, but answered

  REQUIRE(fault(R"({"mode":"none","delay_ms":0})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4())).status == 201);
  CHECK(f.server->sessions().size() == 2);
}

TEST_CASE("a fault request that makes no sense is refused with 400") {
  SimFixture f;
  for (const char* body : {R"({"mode":"slow"})", R"({"mode":"none","delay_ms":5})", R"({"mode":"sideways"})",
                           R"({"mode":"slow","delay_ms":-1})", "nonsense"}) {
    INFO(body);
    const HttpReply reply = f.control(HttpMethod::post, "/control/fault", body);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Contains("\"error\""));
  }
  CHECK(f.server->fault().mode == sim::TrackingFaultMode::none);
}

TEST_CASE("the control port blocks shoppers, finalizes carts and shows the whole state") {
  std::vector<sim::TrackingRequestLog> logged;
  sim::TrackingServerOptions options;
  options.on_request = [&logged](const sim::TrackingRequestLog& r) { logged.push_back(r); };
  SimFixture f(options);

  REQUIRE(f.control(HttpMethod::post, "/control/block", R"({"shopper":"shp_x"})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_x")).status == 403);
  const std::string id = f.open_session("shp_ok");
  const std::string cancelled = f.open_session("shp_ok");
  REQUIRE(f.post(controller::cancel_target(cancelled), controller::cancel_body()).status == 200);
  const std::string passage = new_uuid_v4();
  REQUIRE(f.post("/v1/passages", passage_body(passage, id)).status == 202);
  REQUIRE(f.post("/v1/passages", passage_body(passage, id)).status == 202);

  const std::string finalize = json{{"session_id", id},
                                    {"currency", "USD"},
                                    {"items", {{{"sku", "012345"}, {"name", "Cold brew"}, {"qty", 2}, {"unit_minor", 399}}}}}
                                   .dump();
  REQUIRE(f.control(HttpMethod::post, "/control/finalize", finalize).status == 200);
  CHECK(f.control(HttpMethod::post, "/control/finalize", finalize).status == 409);
  CHECK(f.control(HttpMethod::post, "/control/finalize", R"({"session_id":"nope"})").status == 404);
  CHECK(f.control(HttpMethod::post, "/control/finalize", R"({"session_id":"nope","items":[{"sku":"1"}]})").status == 400);

  const json state = f.state();
  CHECK(state["blocked"] == json::array({"shp_x"}));
  REQUIRE(state["sessions"].size() == 2);
  CHECK(state["sessions"][0]["session_id"] == id);
  CHECK(state["sessions"][0]["state"] == "final");
  CHECK(state["sessions"][0]["shopper"] == "shp_ok");
  CHECK(state["sessions"][0]["lane"] == 1);
  CHECK(state["sessions"][0]["group_size"] == 2);
  CHECK(state["sessions"][1]["state"] == "cancelled");
  CHECK(state["sessions"][1]["cancel_reason"] == "no_passage");
  REQUIRE(state["passages"].size() == 1);
  CHECK(state["passages"][0]["passage_id"] == passage);
  CHECK(state["passages"][0]["session_id"] == id);
  CHECK(state["passages"][0]["kind"] == "admitted");
  CHECK(state["counts"]["sessions"] == 2);
  CHECK(state["counts"]["final"] == 1);
  CHECK(state["counts"]["passages"] == 1);
  CHECK(state["counts"]["duplicate_passages"] == 1);
  CHECK(state["counts"]["api_connections"] == 1);

  REQUIRE(f.control(HttpMethod::post, "/control/unblock", R"({"shopper":"shp_x"})").status == 200);
  CHECK(f.post("/v1/sessions", session_body(new_uuid_v4(), "shp_x")).status == 201);
  CHECK(f.control(HttpMethod::get, "/control/nothing").status == 404);

  // The request log: one entry per request, API and control, with the ids.
  REQUIRE_FALSE(logged.empty());
  CHECK(logged[0].control);
  CHECK(logged[0].path == "/control/block");
  CHECK(logged[1].status == 403);
  CHECK(logged[2].subject == id);
  CHECK(logged[2].method == "POST");
  CHECK(logged[2].path == "/v1/sessions");
}

TEST_CASE("the API and control ports can be chosen, and a taken port is reported") {
  SimFixture first;
  boost::asio::io_context io;
  sim::TrackingServerOptions options;
  options.port = first.server->port();
  auto taken = sim::TrackingServer::create(io, options);
  REQUIRE_FALSE(taken);
  CHECK(taken.error().code == "listen_failed");
  CHECK_THAT(taken.error().message, Contains(std::to_string(first.server->port())));
}
