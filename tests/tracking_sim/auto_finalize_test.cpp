// The simulator's own cameras (`--finalize-after-ms`, `--cart-seed`): random carts that are
// the same for the same seed, and sessions finalized a set time after their first admitted
// passage, in virtual time and through the running server.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

#include "common/virtual_time.hpp"
#include "tests/tracking_sim/sim_fixture.hpp"
#include "tools/sim/tracking/auto_finalizer.hpp"
#include "tools/sim/tracking/random_carts.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

bool same_items(const std::vector<sim::CartItem>& a, const std::vector<sim::CartItem>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const sim::CartItem& x, const sim::CartItem& y) {
    return x.sku == y.sku && x.name == y.name && x.qty == y.qty && x.unit_minor == y.unit_minor;
  });
}

std::int64_t total_of(const std::vector<sim::CartItem>& items) {
  std::int64_t total = 0;
  for (const auto& item : items) total += item.qty * item.unit_minor;
  return total;
}

// The engine of a TrackingServer, driven without networking.
struct EngineRig {
  sim::ApiReply post(const std::string& target, const std::string& body) {
    return engine.handle(sim::ApiRequest{"POST", target, std::string("gate-a"), body});
  }
  std::string open_session(const std::string& shopper) {
    const std::string id = new_uuid_v4();
    REQUIRE(post("/v1/sessions", session_body(id, shopper)).status == 201);
    return id;
  }
  void passage(const std::string& session_id, controller::PassageKind kind = controller::PassageKind::admitted) {
    REQUIRE(post("/v1/passages", passage_body(new_uuid_v4(), session_id, kind)).status == 202);
  }

  sim::TrackingEngine engine;
  VirtualTime time;
  std::vector<sim::AutoFinalizeLog> logs;
};

}  // namespace

TEST_CASE("random carts are the same for the same seed and shopper, and about 1 in 5 is empty", "[auto_finalize]") {
  const auto catalogue = sim::cart_catalogue();
  int empty = 0;
  int differ_by_seed = 0;
  constexpr int kShoppers = 1000;
  for (int i = 0; i < kShoppers; ++i) {
    const std::string shopper = "shp_" + std::to_string(i);
    const auto cart = sim::random_cart(42, shopper, 0);
    CHECK(same_items(cart, sim::random_cart(42, shopper, 0)));
    if (!same_items(cart, sim::random_cart(43, shopper, 0))) ++differ_by_seed;
    if (cart.empty()) ++empty;
    CHECK(cart.size() <= 4);
    std::set<std::string> skus;
    for (const auto& item : cart) {
      INFO(item.sku);
      CHECK(skus.insert(item.sku).second);  // each product on one line
      CHECK(item.qty >= 1);
      CHECK(item.qty <= 3);
      const auto product = std::find_if(catalogue.begin(), catalogue.end(),
                                        [&](const sim::CatalogueProduct& p) { return p.sku == item.sku; });
      REQUIRE(product != catalogue.end());
      CHECK(item.name == product->name);
      CHECK(item.unit_minor == product->unit_minor);
    }
  }
  CHECK(empty > kShoppers * 15 / 100);
  CHECK(empty < kShoppers * 25 / 100);
  CHECK(differ_by_seed > kShoppers / 2);
}

TEST_CASE("a shopper's carts follow one another: the n-th cart does not depend on other shoppers", "[auto_finalize]") {
  sim::RandomCarts mixed(7);
  sim::RandomCarts alone(7);
  const auto a0 = mixed.next_for("shp_a");
  (void)mixed.next_for("shp_b");
  const auto a1 = mixed.next_for("shp_a");
  CHECK(same_items(a0, alone.next_for("shp_a")));
  CHECK(same_items(a1, alone.next_for("shp_a")));
  CHECK(same_items(a1, sim::random_cart(7, "shp_a", 1)));
}

TEST_CASE("a session's cart is finalized the set time after its first admitted passage, once", "[auto_finalize]") {
  EngineRig rig;
  sim::AutoFinalizer finalizer(rig.engine, rig.time, {Millis{1000}, 5, "USD"},
                               [&rig](const sim::AutoFinalizeLog& log) { rig.logs.push_back(log); });
  rig.engine.set_passage_observer([&finalizer](const sim::TrackingPassage& p) { finalizer.passage(p); });
  const std::string group = rig.open_session("shp_group");
  const std::string other = rig.open_session("shp_other");

  rig.passage(group);
  rig.time.advance(Millis{400});
  rig.passage(group);  // the second member of the group: no second timer
  rig.passage(other, controller::PassageKind::tailgate);  // not an admitted passage
  CHECK(finalizer.waiting() == 1);

  rig.time.advance(Millis{599});
  CHECK(rig.engine.find_session(group)->state == sim::TrackingSessionState::open);
  rig.time.advance(Millis{1});
  const sim::TrackingSession& s = *rig.engine.find_session(group);
  CHECK(s.state == sim::TrackingSessionState::final);
  CHECK(s.currency == "USD");
  CHECK(same_items(s.items, sim::random_cart(5, "shp_group", 0)));
  REQUIRE(rig.logs.size() == 1);
  CHECK(rig.logs[0].session_id == group);
  CHECK(rig.logs[0].finalized);
  CHECK(rig.logs[0].total_minor == total_of(s.items));
  CHECK(rig.logs[0].items == s.items.size());

  rig.time.advance(Millis{5000});
  CHECK(rig.logs.size() == 1);
  CHECK(finalizer.waiting() == 0);
  CHECK(rig.engine.find_session(other)->state == sim::TrackingSessionState::open);
}

TEST_CASE("a session finalized or cancelled meanwhile is left alone and reported as skipped", "[auto_finalize]") {
  EngineRig rig;
  sim::AutoFinalizer finalizer(rig.engine, rig.time, {Millis{100}, 1, "USD"},
                               [&rig](const sim::AutoFinalizeLog& log) { rig.logs.push_back(log); });
  rig.engine.set_passage_observer([&finalizer](const sim::TrackingPassage& p) { finalizer.passage(p); });
  const std::string manual = rig.open_session("shp_manual");
  const std::string cancelled = rig.open_session("shp_cancelled");
  rig.passage(manual);
  rig.passage(cancelled);
  REQUIRE(rig.engine.finalize_cart(manual, "USD", {{"9", "Gum", 2, 100}}));
  REQUIRE(rig.post("/v1/sessions/" + cancelled + "/cancel", R"({"reason":"no_passage"})").status == 200);

  rig.time.advance(Millis{100});
  REQUIRE(rig.logs.size() == 2);
  for (const auto& log : rig.logs) CHECK_FALSE(log.finalized);
  CHECK(rig.logs[0].skipped == "the session is already final");
  CHECK(rig.logs[1].skipped == "the session is already cancelled");
  CHECK(total_of(rig.engine.find_session(manual)->items) == 200);  // the cameras' cart stays
}

TEST_CASE("the running simulator finalizes carts by itself and shows them in its feed and state", "[auto_finalize]") {
  sim::TrackingServerOptions options;
  options.auto_finalize = sim::AutoFinalizeSettings{Millis{5}, 3, "USD"};
  SimFixture f(std::move(options));
  const std::string session = f.open_session("shp_auto");
  REQUIRE(f.post("/v1/passages", passage_body(new_uuid_v4(), session)).status == 202);

  REQUIRE(run_until(f.io, [&] { return f.server->engine().find_session(session)->state == sim::TrackingSessionState::final; }));
  const std::int64_t total = total_of(sim::random_cart(3, "shp_auto", 0));
  const json state = f.state();
  CHECK(state["auto_finalize"] == json{{"after_ms", 5}, {"cart_seed", 3}, {"waiting", 0}});
  CHECK(state["counts"]["final"] == 1);
  CHECK(state["sessions"][0]["total_minor"] == total);
  CHECK(state["sessions"][0]["currency"] == "USD");
  const json page = json::parse(f.get("/v1/carts?store_id=store-0042&gate_id=gate-a").body);
  REQUIRE(page["carts"].size() == 1);
  CHECK(page["carts"][0]["session_id"] == session);
  CHECK(page["carts"][0]["total_minor"] == total);
}

TEST_CASE("without auto-finalize, carts wait for the control port and the state says it is off", "[auto_finalize]") {
  SimFixture f;
  const std::string session = f.open_session();
  REQUIRE(f.post("/v1/passages", passage_body(new_uuid_v4(), session)).status == 202);
  const json state = f.state();
  CHECK(state["auto_finalize"].is_null());
  CHECK(state["sessions"][0]["state"] == "open");
  CHECK(state["sessions"][0]["total_minor"].is_null());
}
