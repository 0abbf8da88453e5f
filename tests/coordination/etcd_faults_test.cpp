// The store-wide coordination when etcd members fail, on a real three-member cluster of its
// own per test (etcd_cluster.hpp): the leader killed while claims go on, and two of three
// members gone (no quorum), where etcd itself would hold a request for about 7 s.
#include <catch2/catch.hpp>

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

constexpr milliseconds kTimeout{300};
// What a loaded test machine under the sanitizers may add to a call's own timeout before its
// callback runs: far below the 7 s etcd itself would hold a call without quorum.
constexpr milliseconds kSlack{700};

struct Claims {
  Claims(boost::asio::io_context& context, test::EtcdCluster& cluster) : io(context), time(context) {
    auto made = drivers::EtcdClient::create(context, cluster.client_options("north"));
    REQUIRE(made);
    client = std::move(made.value());
    CoordinationSettings settings;
    settings.store_id = "store-faults";
    settings.gate_id = "north";
    settings.timeout = kTimeout;
    coordinator = std::make_unique<StoreCoordinator>(*client, time, time, settings);
  }
  // One claim of a new token; its outcome and how long it took.
  std::pair<Outcome, milliseconds> next() {
    const auto token = "tok-" + std::to_string(++n);
    const auto start = std::chrono::steady_clock::now();
    auto got = test::await_reply<Outcome>(io, [&](auto done) {
      coordinator->claim_token(token, "sess-" + std::to_string(n), time.wall_now() + seconds(90), std::move(done));
    });
    REQUIRE(got);
    return {*got, std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start)};
  }
  boost::asio::io_context& io;
  AsioTime time;
  std::unique_ptr<drivers::EtcdClient> client;
  std::unique_ptr<StoreCoordinator> coordinator;
  int n = 0;
};

}  // namespace

TEST_CASE("etcd cluster: the leader killed mid-claims; each call ends in time, claims work after the election") {
  test::EtcdCluster cluster(3);
  boost::asio::io_context io;
  Claims claims(io, cluster);
  for (int i = 0; i < 5; ++i) REQUIRE(claims.next().first.verdict == Verdict::confirmed);
  const auto leader = cluster.leader(io);
  REQUIRE(leader);
  cluster.kill(*leader);
  int unavailable = 0;
  int confirmed_after = 0;
  const auto give_up = std::chrono::steady_clock::now() + seconds(20);
  while (confirmed_after < 5 && std::chrono::steady_clock::now() < give_up) {
    const auto [outcome, took] = claims.next();
    INFO("claim " << claims.n << ": " << verdict_name(outcome.verdict) << " " << outcome.reason);
    CHECK(took <= kTimeout + kSlack);
    REQUIRE(outcome.verdict != Verdict::refused);  // every token is new
    if (outcome.verdict == Verdict::unavailable) {
      ++unavailable;
      confirmed_after = 0;
    } else {
      ++confirmed_after;
    }
  }
  CHECK(confirmed_after == 5);
  const auto new_leader = cluster.leader(io);
  REQUIRE(new_leader);
  CHECK(*new_leader != *leader);
  UNSCOPED_INFO("claims unavailable during the election: " << unavailable);
}

TEST_CASE("etcd cluster: with two of three members gone every call answers unavailable within the timeout") {
  test::EtcdCluster cluster(3);
  boost::asio::io_context io;
  Claims claims(io, cluster);
  REQUIRE(claims.next().first.verdict == Verdict::confirmed);
  cluster.kill(0);
  cluster.kill(1);
  for (int i = 0; i < 4; ++i) {
    const auto [outcome, took] = claims.next();
    CHECK(outcome.verdict == Verdict::unavailable);
    CHECK(took <= kTimeout + kSlack);
  }
  const auto start = std::chrono::steady_clock::now();
  auto occupancy = test::await_reply<Result<Occupancy>>(
      io, [&](auto done) { claims.coordinator->read_occupancy(std::move(done)); });
  REQUIRE(occupancy);
  CHECK_FALSE(*occupancy);
  CHECK(std::chrono::steady_clock::now() - start <= kTimeout + kSlack);
}
