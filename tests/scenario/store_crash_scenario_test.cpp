// Crashes and etcd failures in a store of two gate arrays (docs/store-coordination.md,
// docs/durability.md), each array a real passgated with its own simulators and database, on a
// real three-member etcd cluster over TLS:
//  - passgated (north) killed with SIGKILL at each step of a store claim, then started again on
//    the same database: (a) the claims sent, etcd has seen nothing (a2: and delivered after
//    the restart released the session: they write nothing); (b) the claims made by
//    etcd, the tracking engine being asked; (c) after the admitting commit, the barrier
//    released; (d) an owed claim made by etcd during reconciliation after an outage, its answer
//    never heard. North reaches etcd through a HoldingProxy, the network the test holds. After
//    each: the session at north, the keys in etcd, the token and the shopper at south, no
//    double use and no gate_id_shared reported; at the end the occupancy.
//  - the etcd leader stopped with a scan's claims pending, then killed: fallback "local"
//    admits unverified and claims after the election, fallback "deny" refuses and leaves no
//    key; admission goes on verified after the election.
//  - two members stopped (no quorum), fallback "local": one token admitted at both arrays;
//    quorum back, reconciliation reports the double use, nothing admitted is undone.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <regex>
#include <set>
#include <string>

#include "tests/coordination/etcd_cluster.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/holding_proxy.hpp"
#include "tests/scenario/metrics_client.hpp"
#include "tests/scenario/rig_client.hpp"
#include "tests/scenario/store_arrays.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

const std::string kKeys = "/passgate/store-0042/";
// The token id of the test's token `name` (a jti has 16 to 64 characters).
std::string token_id(const std::string& name) { return name + "-000000000000"; }
std::string token_key(const std::string& name) { return kKeys + "tokens/" + token_id(name); }
std::string shopper_key(const std::string& shopper) { return kKeys + "shoppers/" + shopper; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++found;
  return found;
}

// `object`'s text `key`; empty if it is not an object or has no such text.
std::string field(const json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key) || !object.at(key).is_string()) return {};
  return object.at(key).get<std::string>();
}

// The value of metric line `name` (without labels) on `page`; -1: none.
double metric(const std::string& page, const std::string& name) {
  std::smatch found;
  if (!std::regex_search(page, found, std::regex("(^|\n)" + name + " ([0-9.e+]+)\n"))) return -1;
  return std::stod(found[2].str());
}

// The token `name` for `shopper`, signed by the key `issuer` trusts (and the other array
// with it).
std::string mint_token(const GateHarness& issuer, const std::string& shopper, const std::string& name) {
  sim::TokenSpec spec = issuer.spec_for(shopper);
  spec.token_id = token_id(name);
  return sim::mint_token(issuer.issuer_key(), spec);
}

// One gate array: its harness, a rig connected to its passgated (made again at each start),
// and what all its lives logged.
class Array {
 public:
  explicit Array(GateOptions options) : gate_(std::move(options)) { connect(); }

  GateHarness& gate() { return gate_; }
  RigClient& rig() { return *rig_; }

  // kill -9 (a crash, a power loss of the process).
  void kill() {
    rig_.reset();
    log_ += gate_.gated().output();
    gate_.kill_gate();
  }
  // Starts again on the same database.
  void start() {
    gate_.start_gate();
    connect();
  }
  [[nodiscard]] std::string log() { return log_ + (gate_.gate_running() ? gate_.gated().output() : std::string()); }

  // Scans `token` at `lane`: what the lane shows next ("admit 1", a denial's reason; empty:
  // nothing within kReactLimit).
  [[nodiscard]] std::string scan(int lane, const std::string& token) {
    const auto before = rig_->view().displays(lane).size();
    rig_->scan(lane, token);
    std::string shown;
    (void)gate_.run_until([&] {
      const auto& displays = rig_->view().displays(lane);
      if (displays.size() > before) shown = displays[before];
      return !shown.empty();
    });
    return shown;
  }
  // Scans `token` at `lane` and, admitted, walks through: what the lane showed ("admit 1"
  // once the shopper is through, "admit 1 but ..." if the barrier did not follow, a denial's
  // reason, empty: nothing).
  [[nodiscard]] std::string walk(int lane, const std::string& token) {
    const auto release = hw::line_name(lane, hw::LineRole::release_in);
    const std::string shown = scan(lane, token);
    if (shown != "admit 1") return shown;
    if (!rig_->wait_level(release, true)) return shown + " but the barrier stayed";
    rig_->walk_in(lane);
    if (!rig_->wait_level(release, false)) return shown + " but the barrier did not close";
    return shown;
  }
  // The state of session `id` as passgatectl sessions shows it (empty: no such session).
  [[nodiscard]] std::string state(const std::string& id) {
    return field(find_by(gate_.gate_sessions().at("sessions"), "session_id", id), "state");
  }
  [[nodiscard]] std::set<std::string> session_ids() {
    std::set<std::string> ids;
    const json listed = gate_.gate_sessions();
    for (const auto& s : listed.at("sessions")) ids.insert(s.at("session_id").get<std::string>());
    return ids;
  }
  // The session it decided with fallback "local" (event=store_unavailable) on `lane`, the
  // latest; empty: none.
  [[nodiscard]] std::string unverified_session(int lane) {
    const std::string text = log();
    const std::regex decided("event=store_unavailable lane=" + std::to_string(lane) +
                             " session=([^ ]+) fallback=local");
    std::string id;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), decided); it != std::sregex_iterator(); ++it) {
      id = (*it)[1].str();
    }
    return id;
  }
  // Nothing under its gate_id was found held by another box, and no double use was found.
  void check_no_shared_no_double_use() {
    const auto status = store_status(gate_);
    CHECK(status.at("gate_id_shared") == 0);
    CHECK(status.at("double_uses_24h") == 0);
    const std::string text = log();
    CHECK_FALSE(contains(text, "event=store_gate_id_shared"));
    CHECK_FALSE(contains(text, "event=store_double_use"));
  }

 private:
  void connect() {
    rig_ = std::make_unique<RigClient>(gate_);
    rig_->connect_ready();
  }

  GateHarness gate_;
  std::unique_ptr<RigClient> rig_;
  std::string log_;
};

// The holder etcd has for `key`, read through `via`'s loop (null: no such key).
json holder(test::EtcdCluster& cluster, GateHarness& via, const std::string& key) {
  const auto value = cluster.get(via.io(), key);
  return value ? json::parse(*value) : json();
}

// Holds what `north` sends etcd and scans `token` at its lane 1: the session it begins
// (opening, with its claims sent and held), once the network holds them.
std::string scan_with_claims_held(Array& north, HoldingProxy& network, const std::string& token) {
  const auto known = north.session_ids();
  network.hold_requests();
  north.rig().scan(1, token);
  std::string id;
  const bool seen = north.gate().poll_until([&] {
    const json listed = north.gate().gate_sessions();
    for (const auto& s : listed.at("sessions")) {
      if (!known.contains(s.at("session_id").get<std::string>()) && s.at("state") == "opening") {
        id = s.at("session_id").get<std::string>();
      }
    }
    return !id.empty() && network.requests_held() > 0;
  });
  if (!seen) {
    FAIL("no entry opening with its claims held (" << network.requests_held() << " bytes); north said:\n"
                                                   << north.log());
  }
  return id;
}

// Runs both arrays' loops in turn until `holds()`; false after `limit`.
bool both_until(Array& a, Array& b, const std::function<bool()>& holds, std::chrono::milliseconds limit = kReactLimit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    (void)a.gate().run_until(holds, 20ms);
    (void)b.gate().run_until(holds, 20ms);
  }
  return true;
}

bool held_by(const json& holder, const std::string& gate, const std::string& session) {
  return !session.empty() && field(holder, "gate") == gate && field(holder, "session") == session;
}

}  // namespace

TEST_CASE("store: kill -9 of a gate array at each step of a claim leaves the store consistent", "[scenario]") {
  test::EtcdCluster cluster;
  HoldingProxy network(cluster, "north");
  // A claim waits 3 s for etcd: time for the test to see it in flight and kill north.
  Array north(store_array_options(cluster.client_options("north"), {"north", {}, network.endpoints(), 3000, "local"}));
  Array south(store_array_options(cluster.client_options("south"),
                                  {"south", north.gate().jwks_file(), {}, 3000, "local"}));
  GateHarness& issuer = north.gate();
  const auto key_holder = [&](const std::string& key) { return holder(cluster, north.gate(), key); };
  const auto key_gone = [&](const std::string& key) {
    return north.gate().poll_until([&] { return key_holder(key).is_null(); }, std::chrono::seconds(30));
  };
  // A shopper at north's lane 2 with the network passing: the leases of this time (and the
  // next bucket's) are granted, so the step's claims go out as transactions at once.
  int walked_in = 0;
  const auto warm_up = [&](const std::string& shopper) {
    const std::string shown = north.walk(2, mint_token(issuer, shopper, "tok-" + shopper));
    if (shown != "admit 1") FAIL("north showed \"" << shown << "\"; it said:\n" << north.log());
    ++walked_in;
  };

  // a. The claims are sent and held by the network: etcd never sees them. kill -9; the network
  // loses them with the connections. The restart closes the session left opening (cancelled,
  // its token kept used at north); nothing is in etcd, so nobody was admitted with that token
  // anywhere, and south admits it once.
  warm_up("shp_w1");
  {
    const std::string token = mint_token(issuer, "shp_ann", "tok-ann");
    const std::string id = scan_with_claims_held(north, network, token);
    CHECK(north.rig().rises_since_ready(kRelease1) == 0);
    north.kill();
    network.drop_held();
    network.pass();
    CHECK(key_holder(token_key("tok-ann")).is_null());
    CHECK(key_holder(shopper_key("shp_ann")).is_null());
    north.start();
    CHECK(north.state(id) == "cancelled");
    CHECK(contains(north.log(), "event=session_interrupted session=" + id));
    CHECK(north.scan(1, token) == "replayed");
    CHECK(south.walk(1, token) == "admit 1");
    ++walked_in;
    CHECK(field(key_holder(token_key("tok-ann")), "gate") == "south");
    north.check_no_shared_no_double_use();
  }

  // a2. The same, but the network delivers the held claims late: after the restart has
  // cancelled the session and released its shopper's key (finding nothing). The release wrote
  // the key's fence (released/<session>/shopper), so the late claims write nothing: no key holds
  // the cancelled session, and south admits the shopper and the token. (A warm-up first: the
  // restart forgot its leases, and what the network holds must be the claims.)
  warm_up("shp_w3");
  {
    const std::string token = mint_token(issuer, "shp_abe", "tok-abe");
    const std::string id = scan_with_claims_held(north, network, token);
    north.kill();
    network.pass_new();
    north.start();
    CHECK(north.state(id) == "cancelled");
    CHECK(north.gate().poll_until([&] { return store_status(north.gate()).at("releases_owed") == 0; },
                                  std::chrono::seconds(30)));
    CHECK(held_by(key_holder(kKeys + "released/" + id + "/shopper"), "north", id));
    const auto late_answers = network.answers_to_gone_gates();
    network.pass();
    REQUIRE(north.gate().poll_until([&] { return network.answers_to_gone_gates() > late_answers; },
                                    std::chrono::seconds(30)));
    CHECK(network.requests_held() == 0);
    CHECK(key_holder(token_key("tok-abe")).is_null());
    CHECK(key_holder(shopper_key("shp_abe")).is_null());
    CHECK(south.walk(1, token) == "admit 1");
    ++walked_in;
    CHECK(field(key_holder(token_key("tok-abe")), "gate") == "south");
    north.check_no_shared_no_double_use();
  }

  // b. Both claims made by etcd, the tracking engine being asked (its answers a minute late):
  // kill -9. On disk the session is opening, so nobody was let in. The restart cancels it
  // (at the engine too) and releases the shopper's key; the token stays claimed by that
  // session, as it stays used at north: a replay at both arrays. The shopper is free at south.
  {
    const std::string token = mint_token(issuer, "shp_bea", "tok-bea");
    north.gate().set_tracking_fault("slow", std::chrono::minutes(1));
    north.rig().scan(1, token);
    std::string id;
    REQUIRE(north.gate().wait_for_tracking(
        [&](const json& state) {
          const auto s = find_by(state.at("sessions"), "shopper", "shp_bea");
          if (!s.is_null()) id = s.at("session_id").get<std::string>();
          return !id.empty();
        },
        kReactLimit));
    north.kill();
    north.gate().set_tracking_fault("none");
    CHECK(held_by(key_holder(token_key("tok-bea")), "north", id));
    CHECK(held_by(key_holder(shopper_key("shp_bea")), "north", id));
    north.start();
    CHECK(north.state(id) == "cancelled");
    CHECK(north.gate().wait_for_tracking(
        [&](const json& state) {
          return field(find_by(state.at("sessions"), "session_id", id), "state") == "cancelled";
        },
        kReactLimit));
    CHECK(key_gone(shopper_key("shp_bea")));
    CHECK(held_by(key_holder(token_key("tok-bea")), "north", id));
    CHECK(north.scan(1, token) == "replayed");
    CHECK(south.scan(1, token) == "replayed");
    CHECK(south.walk(1, mint_token(issuer, "shp_bea", "tok-bea2")) == "admit 1");
    ++walked_in;
    north.check_no_shared_no_double_use();
  }

  // c. After the admitting commit, the barrier released: kill -9. The admission is recorded:
  // the session stays open with both keys, so south refuses the token (replayed) and the
  // shopper (already_inside) until the session ends.
  std::string cy_session;
  {
    const std::string token = mint_token(issuer, "shp_cy", "tok-cy");
    CHECK(north.scan(1, token) == "admit 1");
    REQUIRE(north.rig().wait_level(kRelease1, true));
    north.kill();
    cy_session = field(key_holder(token_key("tok-cy")), "session");
    CHECK(held_by(key_holder(shopper_key("shp_cy")), "north", cy_session));
    north.start();
    CHECK(north.state(cy_session) == "open");
    CHECK(held_by(key_holder(token_key("tok-cy")), "north", cy_session));
    CHECK(held_by(key_holder(shopper_key("shp_cy")), "north", cy_session));
    CHECK(south.scan(1, token) == "replayed");
    CHECK(south.scan(2, mint_token(issuer, "shp_cy", "tok-cy2")) == "already_inside");
    north.check_no_shared_no_double_use();
  }

  // d. An outage (north's requests held, then lost): fallback "local" admits unverified and
  // owes both claims. The network brings the requests back but holds the answers: etcd makes
  // the reconciler's claim, north never hears of it: kill -9. The restart claims again, finds
  // its own claim there: done, no double use, no gate_id_shared; the store agrees.
  std::string dan_session;
  warm_up("shp_w2");
  {
    const std::string token = mint_token(issuer, "shp_dan", "tok-dan");
    network.hold_requests();
    CHECK(north.walk(1, token) == "admit 1");
    ++walked_in;
    dan_session = north.unverified_session(1);
    REQUIRE_FALSE(dan_session.empty());
    CHECK(store_status(north.gate()).at("claims_owed") > 0);
    network.drop_held();
    network.hold_answers();
    REQUIRE(north.gate().poll_until(
        [&] { return !key_holder(token_key("tok-dan")).is_null() || !key_holder(shopper_key("shp_dan")).is_null(); },
        std::chrono::seconds(30)));
    north.kill();
    network.drop_held();
    network.pass();
    north.start();
    CHECK(north.gate().poll_until([&] { return store_status(north.gate()).at("claims_owed") == 0; },
                                  std::chrono::seconds(30)));
    CHECK(held_by(key_holder(token_key("tok-dan")), "north", dan_session));
    CHECK(held_by(key_holder(shopper_key("shp_dan")), "north", dan_session));
    CHECK(north.state(dan_session) == "open");
    north.check_no_shared_no_double_use();
    CHECK(south.scan(1, token) == "replayed");
    CHECK(south.scan(2, mint_token(issuer, "shp_dan", "tok-dan2")) == "already_inside");
  }

  // The sessions that stayed open end (their carts final): their shoppers' keys go, and
  // south admits them. One occupancy for the store: everyone who walked in.
  north.gate().finalize_cart(cy_session, 0);
  north.gate().finalize_cart(dan_session, 700);
  CHECK(key_gone(shopper_key("shp_cy")));
  CHECK(key_gone(shopper_key("shp_dan")));
  CHECK(south.walk(2, mint_token(issuer, "shp_cy", "tok-cy3")) == "admit 1");
  CHECK(south.walk(2, mint_token(issuer, "shp_dan", "tok-dan3")) == "admit 1");
  walked_in += 2;
  CHECK(occupancy_is(north.gate(), walked_in, 0));
  CHECK(occupancy_is(south.gate(), walked_in, 0));
  north.check_no_shared_no_double_use();
  south.check_no_shared_no_double_use();
  const std::string page = MetricsClient(north.gate()).get("/metrics").body;
  CHECK(contains(page, "passgate_store_double_uses_total 0\n"));
  CHECK(contains(page, "passgate_store_gate_id_shared_total 0\n"));
}

TEST_CASE("store: the etcd leader stopped with claims pending then killed: each fallback, then verified claims",
          "[scenario]") {
  test::EtcdCluster cluster;
  // A claim waits 1 s: less than an election takes (1 to 2 s of silence, then the vote).
  Array north(store_array_options(cluster.client_options("north"), {"north", {}, {}, 1000, "local"}));
  Array south(
      store_array_options(cluster.client_options("south"), {"south", north.gate().jwks_file(), {}, 1000, "deny"}));
  GateHarness& issuer = north.gate();
  const auto key_holder = [&](const std::string& key) { return holder(cluster, north.gate(), key); };
  REQUIRE(north.walk(2, mint_token(issuer, "shp_w1", "tok-w1")) == "admit 1");
  REQUIRE(south.walk(2, mint_token(issuer, "shp_w2", "tok-w2")) == "admit 1");
  const auto leader = cluster.leader(north.gate().io());
  REQUIRE(leader);

  // The leader stops (SIGSTOP: its connections open, nothing answered) and Eve scans at north,
  // Fay at south; both claims are pending on it. Within the 1 s: north admits Eve unverified
  // (fallback local), south refuses Fay (fallback deny). Then the leader is killed (SIGKILL):
  // what it had pending is lost with it.
  cluster.pause(*leader);
  const std::string eve = mint_token(issuer, "shp_eve", "tok-eve");
  const std::string fay = mint_token(issuer, "shp_fay", "tok-fay");
  const auto north_shown = north.rig().view().displays(1).size();
  const auto south_shown = south.rig().view().displays(1).size();
  north.rig().scan(1, eve);
  south.rig().scan(1, fay);
  REQUIRE(both_until(north, south, [&] {
    return north.rig().view().displays(1).size() > north_shown && south.rig().view().displays(1).size() > south_shown;
  }));
  cluster.kill(*leader);
  CHECK(north.rig().view().displays(1)[north_shown] == "admit 1");
  CHECK(south.rig().view().displays(1)[south_shown] == "lane_unavailable");
  REQUIRE(north.rig().wait_level(kRelease1, true));
  north.rig().walk_in(1);
  const std::string eve_session = north.unverified_session(1);
  REQUIRE_FALSE(eve_session.empty());
  CHECK(contains(south.log(), "fallback=deny"));

  // The two members left elect a leader. North's reconciler claims Eve's token and shopper for
  // her session; south owes nothing once what its refused entry may have written is released.
  const auto next_leader = cluster.leader(north.gate().io(), std::chrono::seconds(20));
  REQUIRE(next_leader);
  CHECK(*next_leader != *leader);
  CHECK(north.gate().poll_until([&] { return store_status(north.gate()).at("claims_owed") == 0; },
                                std::chrono::seconds(30)));
  CHECK(held_by(key_holder(token_key("tok-eve")), "north", eve_session));
  CHECK(held_by(key_holder(shopper_key("shp_eve")), "north", eve_session));
  CHECK(contains(north.log(), "event=store_reconciled"));
  CHECK(south.gate().poll_until([&] { return store_status(south.gate()).at("releases_owed") == 0; },
                                std::chrono::seconds(30)));
  CHECK(key_holder(token_key("tok-fay")).is_null());
  CHECK(key_holder(shopper_key("shp_fay")).is_null());

  // Admission goes on with verified claims: Fay's same code at south (at lane 2: lane 1's
  // scanner counts the same code within io.scan_repeat_window_ms once), Gil at north; each key
  // is there as soon as the lane admits, and no entry fell back again.
  CHECK(south.walk(2, fay) == "admit 1");
  CHECK(field(key_holder(token_key("tok-fay")), "gate") == "south");
  CHECK(field(key_holder(shopper_key("shp_fay")), "gate") == "south");
  CHECK(north.walk(2, mint_token(issuer, "shp_gil", "tok-gil")) == "admit 1");
  CHECK(field(key_holder(token_key("tok-gil")), "gate") == "north");
  CHECK(count(north.log(), "event=store_unavailable") == 1);
  CHECK(count(south.log(), "event=store_unavailable") == 1);
  CHECK(south.scan(1, eve) == "replayed");
  const std::string north_page = MetricsClient(north.gate()).get("/metrics").body;
  CHECK(contains(north_page, "passgate_store_admissions_total{outcome=\"fallback_local\"} 1\n"));
  CHECK(contains(north_page, "passgate_store_admissions_total{outcome=\"claimed\"} 2\n"));
  const std::string south_page = MetricsClient(south.gate()).get("/metrics").body;
  CHECK(contains(south_page, "passgate_store_admissions_total{outcome=\"fallback_deny\"} 1\n"));
  north.check_no_shared_no_double_use();
  south.check_no_shared_no_double_use();
}

TEST_CASE("store: no quorum with fallback local: one token admitted at both arrays is reported once the quorum is back",
          "[scenario]") {
  test::EtcdCluster cluster;
  Array north(store_array_options(cluster.client_options("north"), {"north", {}, {}, 1000, "local"}));
  Array south(
      store_array_options(cluster.client_options("south"), {"south", north.gate().jwks_file(), {}, 1000, "local"}));
  GateHarness& issuer = north.gate();

  // Two of three members stopped: no claim can be made. Hal's one code is admitted at north,
  // then at south: each array's own checks know nothing of the other's.
  cluster.pause(0);
  cluster.pause(1);
  const std::string token = mint_token(issuer, "shp_hal", "tok-hal");
  CHECK(north.walk(1, token) == "admit 1");
  CHECK(south.walk(1, token) == "admit 1");
  const std::string at_north = north.unverified_session(1);
  const std::string at_south = south.unverified_session(1);
  REQUIRE_FALSE(at_north.empty());
  REQUIRE_FALSE(at_south.empty());

  // The quorum is back: both reconcilers claim. One array's claims are made, the other finds
  // them taken: a double use of the token (and of the shopper's open session), reported by
  // the array that found it (log, status, metric); both sessions stay open.
  cluster.resume(0);
  cluster.resume(1);
  REQUIRE(cluster.leader(north.gate().io(), std::chrono::seconds(20)));
  for (Array* array : {&north, &south}) {
    CHECK(array->gate().poll_until([&] { return store_status(array->gate()).at("claims_owed") == 0; },
                                   std::chrono::seconds(30)));
  }
  const json token_holder = holder(cluster, north.gate(), token_key("tok-hal"));
  const bool north_won = held_by(token_holder, "north", at_north);
  CHECK((north_won || held_by(token_holder, "south", at_south)));
  Array& found = north_won ? south : north;
  const std::string found_session = north_won ? at_south : at_north;
  const std::string logs = north.log() + south.log();
  CHECK(count(logs, "event=store_double_use kind=token") == 1);
  CHECK(count(logs, "event=store_double_use kind=shopper") == 1);
  CHECK(contains(found.log(), "event=store_double_use kind=token session=" + found_session));
  CHECK(store_status(found.gate()).at("double_uses_24h").get<int>() >= 1);
  CHECK(contains(attention_text(found.gate()), "admitted at another gate array too"));
  const double reported = metric(MetricsClient(north.gate()).get("/metrics").body, "passgate_store_double_uses_total") +
                          metric(MetricsClient(south.gate()).get("/metrics").body, "passgate_store_double_uses_total");
  CHECK(reported == 2);
  CHECK(north.state(at_north) == "open");
  CHECK(south.state(at_south) == "open");
  for (Array* array : {&north, &south}) CHECK(store_status(array->gate()).at("gate_id_shared") == 0);
}

}  // namespace passgate::scenario
