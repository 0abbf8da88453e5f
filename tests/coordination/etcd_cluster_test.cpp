// The etcd client and the store-wide coordination against a real three-member etcd cluster
// on loopback with TLS and client certificates (etcd_cluster.hpp), shared by this file's
// tests: claims between two arrays, lease expiry, a lost answer read back, occupancy, and
// the refusal of clients the store's CA did not vouch for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>

#include "common/asio_time.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "tests/coordination/etcd_cluster.hpp"
#include "tests/support/run_until.hpp"

using namespace passgate;
using namespace passgate::coordination;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

test::EtcdCluster& cluster() {
  static test::EtcdCluster shared(3);
  return shared;
}

// One gate array's view of the store: its own client certificate, client and coordinator.
struct Array {
  Array(boost::asio::io_context& io, const std::string& gate, CoordinationSettings settings = {})
      : time(io), client(make(io, gate)) {
    if (settings.store_id.empty()) settings.store_id = "store-it";
    settings.gate_id = gate;
    coordinator = std::make_unique<StoreCoordinator>(*client, time, time, settings);
  }
  static std::unique_ptr<drivers::EtcdClient> make(boost::asio::io_context& io, const std::string& gate) {
    auto made = drivers::EtcdClient::create(io, cluster().client_options(gate));
    REQUIRE(made);
    return std::move(made.value());
  }
  AsioTime time;
  std::unique_ptr<drivers::EtcdClient> client;
  std::unique_ptr<StoreCoordinator> coordinator;
};

template <class T>
T wait(boost::asio::io_context& io, const std::function<void(std::function<void(T)>)>& start) {
  auto got = test::await_reply<T>(io, start, seconds(20));
  REQUIRE(got);
  return std::move(*got);
}

Outcome claim(boost::asio::io_context& io, Array& a, const std::string& token, const std::string& session,
              seconds exp_in = seconds(90)) {
  const auto exp = a.time.wall_now() + exp_in;
  return wait<Outcome>(io, [&](auto done) { a.coordinator->claim_token(token, session, exp, std::move(done)); });
}

// A StoreKv that passes everything to the real client but loses the answer of every claim
// (the claim itself reaches etcd): the coordinator sees "unavailable" as after a time-out.
struct LosingKv final : StoreKv {
  explicit LosingKv(StoreKv& inner) : real(inner) {}
  StoreKv& real;
  void grant_lease(seconds ttl, Millis t, std::function<void(Result<StoreLease>)> d) override {
    real.grant_lease(ttl, t, std::move(d));
  }
  void claim(const std::string& k, const std::string& v, std::int64_t l, const std::string& f, Millis t,
             std::function<void(Result<ClaimAnswer>)> d) override {
    real.claim(k, v, l, f, t, [d = std::move(d)](Result<ClaimAnswer>) { d(make_error("unavailable", "answer lost")); });
  }
  void claim_two(const KeyClaim& a, const KeyClaim& b, const std::array<std::string, 2>& f, Millis t,
                 std::function<void(Result<ClaimTwoAnswer>)> d) override {
    real.claim_two(a, b, f, t,
                   [d = std::move(d)](Result<ClaimTwoAnswer>) { d(make_error("unavailable", "answer lost")); });
  }
  void get(const std::string& k, Millis t, std::function<void(Result<std::optional<std::string>>)> d) override {
    real.get(k, t, std::move(d));
  }
  void put(const std::string& k, const std::string& v, std::int64_t l, Millis t, std::function<void(Status)> d) override {
    real.put(k, v, l, t, std::move(d));
  }
  void remove(const std::string& k, Millis t, std::function<void(Result<bool>)> d) override { real.remove(k, t, std::move(d)); }
  void remove_if(const std::string& k, const std::string& v, Millis t, std::function<void(Result<bool>)> d) override {
    real.remove_if(k, v, t, std::move(d));
  }
  void release(const std::string& k, const std::string& v, const KeyClaim& f, Millis t,
               std::function<void(Result<bool>)> d) override {
    real.release(k, v, f, t, std::move(d));
  }
  void range(const std::string& p, std::size_t n, Millis t, std::function<void(Result<std::vector<StoreKeyValue>>)> d) override {
    real.range(p, n, t, std::move(d));
  }
  void count(const std::string& p, Millis t, std::function<void(Result<std::int64_t>)> d) override {
    real.count(p, t, std::move(d));
  }
};

}  // namespace

TEST_CASE("etcd cluster: a token claimed at one array is refused at the other with the holder; same claim is ours") {
  boost::asio::io_context io;
  Array north(io, "north");
  Array south(io, "south");
  CHECK(claim(io, north, "tok-1", "sess-n1").verdict == Verdict::confirmed);
  const auto replay = claim(io, south, "tok-1", "sess-s1");
  REQUIRE(replay.verdict == Verdict::refused);
  REQUIRE(replay.holder);
  CHECK(replay.holder->gate == "north");
  CHECK(replay.holder->session == "sess-n1");
  CHECK(claim(io, north, "tok-1", "sess-n1").verdict == Verdict::confirmed);
  const auto stored = wait<Result<std::optional<std::string>>>(
      io, [&](auto done) { south.client->get("/passgate/store-it/tokens/tok-1", milliseconds(2000), std::move(done)); });
  REQUIRE(stored);
  CHECK(**stored == R"({"gate":"north","session":"sess-n1"})");
}

TEST_CASE("etcd cluster: a claim of two keys writes both or neither and reads back the holders") {
  boost::asio::io_context io;
  CoordinationSettings own_store;  // its shoppers' keys apart from the other tests'
  own_store.store_id = "store-two";
  Array north(io, "north", own_store);
  const auto lease = wait<Result<StoreLease>>(
      io, [&](auto done) { north.client->grant_lease(seconds(60), milliseconds(2000), std::move(done)); });
  REQUIRE(lease);
  const auto claim_two = [&](const KeyClaim& a, const KeyClaim& b) {
    return wait<Result<ClaimTwoAnswer>>(
        io, [&](auto done) {
          north.client->claim_two(a, b, {"/passgate/store-two/released/none/token", "/passgate/store-two/released/none/shopper"},
                                  milliseconds(2000), std::move(done));
        });
  };
  const auto get = [&](const std::string& key) {
    const auto got = wait<Result<std::optional<std::string>>>(
        io, [&](auto done) { north.client->get(key, milliseconds(2000), std::move(done)); });
    REQUIRE(got);
    return *got;
  };
  const std::string token = "/passgate/store-two/tokens/two-1";
  const std::string shopper = "/passgate/store-two/shoppers/two-1";
  const std::string other = "/passgate/store-two/tokens/two-2";
  const auto both = claim_two({token, "a", lease->id}, {shopper, "b", lease->id});
  REQUIRE(both);
  CHECK(both->claimed);
  CHECK(get(token) == "a");
  CHECK(get(shopper) == "b");
  // One of the two held: neither written, each key's value read back (nothing for the free one).
  const auto held = claim_two({other, "c", lease->id}, {shopper, "d", lease->id});
  REQUIRE(held);
  CHECK_FALSE(held->claimed);
  CHECK_FALSE(held->holders[0]);
  CHECK(held->holders[1] == "b");
  CHECK_FALSE(get(other));
  CHECK(get(shopper) == "b");
  const auto both_held = claim_two({shopper, "e", lease->id}, {token, "f", lease->id});
  REQUIRE(both_held);
  CHECK_FALSE(both_held->claimed);
  CHECK(both_held->holders[0] == "b");
  CHECK(both_held->holders[1] == "a");
  // A lease that does not exist: nothing written.
  const auto no_lease = claim_two({other, "c", 12345}, {"/passgate/store-two/shoppers/two-2", "d", lease->id});
  REQUIRE_FALSE(no_lease);
  CHECK(no_lease.error().code == "lease_not_found");
  CHECK_FALSE(get(other));
  // Through the coordinators: an entry at south finds north's shopper, claims its token alone.
  Array south(io, "south", own_store);
  CHECK(wait<Outcome>(io, [&](auto done) { north.coordinator->open_shopper("two-3", "sess-n1", std::move(done)); })
            .verdict == Verdict::confirmed);
  const auto entry = wait<std::pair<Outcome, Outcome>>(io, [&](auto done) {
    south.coordinator->claim_entry("two-3", south.time.wall_now() + seconds(90), "two-3", "sess-s1",
                                   [done](Outcome t, Outcome s) { done({std::move(t), std::move(s)}); });
  });
  CHECK(entry.first.verdict == Verdict::confirmed);
  CHECK(entry.second.verdict == Verdict::refused);
  CHECK(entry.second.holder_text == "gate north session sess-n1");
  const auto fresh = wait<std::pair<Outcome, Outcome>>(io, [&](auto done) {
    south.coordinator->claim_entry("two-4", south.time.wall_now() + seconds(90), "two-4", "sess-s2",
                                   [done](Outcome t, Outcome s) { done({std::move(t), std::move(s)}); });
  });
  CHECK(fresh.first.verdict == Verdict::confirmed);
  CHECK(fresh.second.verdict == Verdict::confirmed);
  CHECK(get("/passgate/store-two/shoppers/two-4") == R"({"gate":"south","session":"sess-s2"})");
}

TEST_CASE("etcd cluster: a claim's lease expiring frees the token's key for a new claim") {
  boost::asio::io_context io;
  CoordinationSettings quick;
  quick.lease_skew = seconds(0);
  quick.double_use_window = seconds(0);
  quick.lease_bucket = seconds(1);
  Array north(io, "north", quick);
  Array south(io, "south", quick);
  // exp in 1 s: the lease is etcd's shortest (2 s).
  CHECK(claim(io, north, "tok-short", "sess-n1", seconds(1)).verdict == Verdict::confirmed);
  CHECK(claim(io, south, "tok-short", "sess-s1", seconds(1)).verdict == Verdict::refused);
  std::optional<std::string> value = "?";
  CHECK(test::eventually(
      io,
      [&] {
        auto got = test::await_reply<Result<std::optional<std::string>>>(io, [&](auto done) {
          south.client->get("/passgate/store-it/tokens/tok-short", milliseconds(2000), std::move(done));
        });
        if (got && *got) value = got->value();
        return !value.has_value();
      },
      milliseconds(200), seconds(15)));
  CHECK(claim(io, south, "tok-short", "sess-s1", seconds(60)).verdict == Verdict::confirmed);
}

TEST_CASE("etcd cluster: a claim whose answer is lost is found ours by reading the key back") {
  boost::asio::io_context io;
  Array north(io, "north");
  LosingKv losing(*north.client);
  CoordinationSettings settings;
  settings.store_id = "store-it";
  settings.gate_id = "north";
  StoreCoordinator coordinator(losing, north.time, north.time, settings);
  const auto exp = north.time.wall_now() + seconds(90);
  const auto outcome =
      wait<Outcome>(io, [&](auto done) { coordinator.claim_token("tok-lost", "sess-n1", exp, std::move(done)); });
  CHECK(outcome.verdict == Verdict::confirmed);
  // The other array, losing its answer the same way, reads north's holder: refused.
  Array south(io, "south");
  LosingKv south_losing(*south.client);
  settings.gate_id = "south";
  StoreCoordinator south_coordinator(south_losing, south.time, south.time, settings);
  const auto other = wait<Outcome>(
      io, [&](auto done) { south_coordinator.claim_token("tok-lost", "sess-s1", exp, std::move(done)); });
  CHECK(other.verdict == Verdict::refused);
  CHECK(other.holder_text == "gate north session sess-n1");
}

TEST_CASE("etcd cluster: occupancy from two arrays' totals, and open sessions counted by etcd") {
  boost::asio::io_context io;
  Array north(io, "north");
  Array south(io, "south");
  CHECK(wait<Outcome>(io, [&](auto done) { north.coordinator->publish_totals({12, 5}, std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(wait<Outcome>(io, [&](auto done) { south.coordinator->publish_totals({4, 8}, std::move(done)); }).verdict ==
        Verdict::confirmed);
  const auto occupancy =
      wait<Result<Occupancy>>(io, [&](auto done) { north.coordinator->read_occupancy(std::move(done)); });
  REQUIRE(occupancy);
  CHECK(occupancy->inside() == 3);
  CHECK(occupancy->arrays == 2);
  for (const auto* shopper : {"shopper-1", "shopper-2"}) {
    CHECK(wait<Outcome>(io, [&](auto done) { north.coordinator->open_shopper(shopper, "sess-1", std::move(done)); })
              .verdict == Verdict::confirmed);
  }
  CHECK(wait<Outcome>(io, [&](auto done) { south.coordinator->open_shopper("shopper-1", "sess-9", std::move(done)); })
            .verdict == Verdict::refused);
  const auto open = wait<Result<std::int64_t>>(io, [&](auto done) { south.coordinator->count_open_sessions(std::move(done)); });
  REQUIRE(open);
  CHECK(*open == 2);
  CHECK(wait<Outcome>(io, [&](auto done) { north.coordinator->close_shopper("shopper-1", "sess-1", std::move(done)); })
            .verdict == Verdict::confirmed);
  CHECK(wait<Outcome>(io, [&](auto done) { south.coordinator->open_shopper("shopper-1", "sess-9", std::move(done)); })
            .verdict == Verdict::confirmed);
}

TEST_CASE("etcd cluster: clients with a foreign CA, no client certificate or a foreign one are refused") {
  boost::asio::io_context io;
  for (auto options : {cluster().wrong_ca_options("north"), cluster().no_cert_options(), cluster().foreign_cert_options()}) {
    auto client = drivers::EtcdClient::create(io, options);
    REQUIRE(client);
    const auto got = wait<Result<std::optional<std::string>>>(
        io, [&](auto done) { (*client)->get("/passgate/store-it/tokens/tok-1", milliseconds(2000), std::move(done)); });
    REQUIRE_FALSE(got);
    CHECK(got.error().code == "unavailable");
  }
}

TEST_CASE("etcd cluster: status names the same leader from every member") {
  boost::asio::io_context io;
  const auto leader = cluster().leader(io);
  REQUIRE(leader);
  CHECK(*leader < 3);
}

TEST_CASE("etcd cluster: many claims in a row are each confirmed (PASSGATE_ETCD_CLAIMS=N prints the latency)") {
  boost::asio::io_context io;
  Array north(io, "north");
  const char* asked = std::getenv("PASSGATE_ETCD_CLAIMS");
  const int n = asked != nullptr ? std::max(1, std::atoi(asked)) : 20;
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(claim(io, north, "tok-many-" + std::to_string(i), "sess-" + std::to_string(i)).verdict ==
            Verdict::confirmed);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  // One lease per 30 s bucket, the next granted ahead: a few seconds of claims hold at most 3.
  if (asked == nullptr) CHECK(north.coordinator->leases_held() <= 3);
  if (asked != nullptr) {
    std::sort(ms.begin(), ms.end());
    const auto at = [&ms](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
    std::cout << "etcd claims: n=" << n << " p50=" << at(0.50) << " ms p99=" << at(0.99) << " ms max=" << ms.back()
              << " ms\n";
  }
}

TEST_CASE("etcd cluster: a claim that lands after its session's release writes nothing; other claims are unaffected") {
  boost::asio::io_context io;
  CoordinationSettings own_store;
  own_store.store_id = "store-fence";
  Array north(io, "north", own_store);
  Array south(io, "south", own_store);
  const auto run = [&](const std::function<void(StoreCoordinator::Done)>& call) { return wait<Outcome>(io, call); };
  const auto get = [&](const std::string& key) {
    const auto got = wait<Result<std::optional<std::string>>>(
        io, [&](auto done) { north.client->get(key, milliseconds(2000), std::move(done)); });
    REQUIRE(got);
    return *got;
  };
  // North's claims of sess-n1 were held in the network; the session was released meanwhile,
  // finding nothing, which wrote its fence.
  CHECK(run([&](auto done) { north.coordinator->release_token("tok-f", "sess-n1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(run([&](auto done) { north.coordinator->close_shopper("shp-f", "sess-n1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(get("/passgate/store-fence/released/sess-n1/token") == R"({"gate":"north","session":"sess-n1"})");
  CHECK(get("/passgate/store-fence/released/sess-n1/shopper") == R"({"gate":"north","session":"sess-n1"})");
  const auto late = wait<std::pair<Outcome, Outcome>>(io, [&](auto done) {
    north.coordinator->claim_entry("tok-f", north.time.wall_now() + seconds(90), "shp-f", "sess-n1",
                                   [done](Outcome t, Outcome s) { done({std::move(t), std::move(s)}); });
  });
  CHECK(late.first.reason == "the key was released for this session already: nothing written");
  CHECK(late.second.reason == late.first.reason);
  CHECK(claim(io, north, "tok-f", "sess-n1").reason == late.first.reason);
  CHECK_FALSE(get("/passgate/store-fence/tokens/tok-f"));
  CHECK_FALSE(get("/passgate/store-fence/shoppers/shp-f"));
  // South's entry of the same token and shopper: claimed as usual.
  const auto entry = wait<std::pair<Outcome, Outcome>>(io, [&](auto done) {
    south.coordinator->claim_entry("tok-f", south.time.wall_now() + seconds(90), "shp-f", "sess-s1",
                                   [done](Outcome t, Outcome s) { done({std::move(t), std::move(s)}); });
  });
  CHECK(entry.first.verdict == Verdict::confirmed);
  CHECK(entry.first.reason.empty());
  CHECK(entry.second.verdict == Verdict::confirmed);
  CHECK(get("/passgate/store-fence/shoppers/shp-f") == R"({"gate":"south","session":"sess-s1"})");
  // South's release removes its key and fences its session too.
  CHECK(run([&](auto done) { south.coordinator->close_shopper("shp-f", "sess-s1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK_FALSE(get("/passgate/store-fence/shoppers/shp-f"));
  CHECK(get("/passgate/store-fence/released/sess-s1/shopper") == R"({"gate":"south","session":"sess-s1"})");
  CHECK_FALSE(get("/passgate/store-fence/released/sess-s1/token"));
  CHECK(claim(io, north, "tok-f2", "sess-n2").verdict == Verdict::confirmed);
  CHECK(claim(io, north, "tok-f2", "sess-n2").reason.empty());
}
