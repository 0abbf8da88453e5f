// The store-wide coordination's decisions over a fake store in virtual time: claims and
// who holds them, an unknown outcome read back, leases per bucket, occupancy, and the
// taking over this array's own older claims.
#include <catch2/catch.hpp>

#include <map>

#include "controller/coordination/store_coordinator.hpp"
#include "tests/coordination/fake_store_kv.hpp"

using namespace passgate;
using namespace passgate::coordination;
using std::chrono::seconds;

namespace {

// What a box's database knows of its sessions (none listed: unknown).
struct Sessions {
  std::map<std::string, SessionFate> fates;
  StoreCoordinator::SessionFateOf fate_of() {
    return [this](const std::string& session) {
      const auto it = fates.find(session);
      return it == fates.end() ? SessionFate::unknown : it->second;
    };
  }
};

struct Store {
  VirtualTime time;
  test::FakeStoreKv kv{time};
  Sessions north_db;
  Sessions south_db;
  static CoordinationSettings settings(const std::string& gate, const std::string& instance = {}) {
    CoordinationSettings s;
    s.store_id = "store-7";
    s.gate_id = gate;
    s.instance_id = instance;
    return s;
  }
  StoreCoordinator north{kv, time, time, settings("north"), north_db.fate_of()};
  StoreCoordinator south{kv, time, time, settings("south"), south_db.fate_of()};

  Outcome run(const std::function<void(StoreCoordinator::Done)>& call) {
    std::optional<Outcome> got;
    call([&got](Outcome o) { got = std::move(o); });
    REQUIRE_FALSE(got);  // never inside the call
    time.run_ready();
    REQUIRE(got);
    return *got;
  }
  // An entry's claims together: the token's and the shopper's outcomes.
  std::pair<Outcome, Outcome> entry(StoreCoordinator& gate, const std::string& token, const std::string& shopper,
                                    const std::string& session) {
    std::optional<std::pair<Outcome, Outcome>> got;
    gate.claim_entry(token, time.wall_now() + seconds(90), shopper, session,
                     [&got](Outcome t, Outcome sh) { got.emplace(std::move(t), std::move(sh)); });
    REQUIRE_FALSE(got);  // never inside the call
    time.run_ready();
    REQUIRE(got);
    return *got;
  }
  Outcome claim(StoreCoordinator& gate, const std::string& token, const std::string& session, seconds exp_in = seconds(90)) {
    const auto exp = time.wall_now() + exp_in;
    return run([&](auto done) { gate.claim_token(token, session, exp, std::move(done)); });
  }
};

}  // namespace

TEST_CASE("a token claimed at one array is refused at the other, naming the holder; the same claim again is ours") {
  Store s;
  CHECK(s.claim(s.north, "tok-1", "sess-n1").verdict == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/tokens/tok-1").value == R"({"gate":"north","session":"sess-n1"})");
  const auto replay = s.claim(s.south, "tok-1", "sess-s1");
  REQUIRE(replay.verdict == Verdict::refused);
  REQUIRE(replay.holder);
  CHECK(replay.holder->gate == "north");
  CHECK(replay.holder->session == "sess-n1");
  CHECK(replay.holder_text == "gate north session sess-n1");
  CHECK(s.claim(s.north, "tok-1", "sess-n1").verdict == Verdict::confirmed);
}

TEST_CASE("a key this array holds for an older session that ended here is taken over, never refused (F1)") {
  Store s;
  const auto open = [&](StoreCoordinator& g, const std::string& session) {
    return s.run([&](auto done) { g.open_shopper("shopper-4", session, std::move(done)); });
  };
  // sess-n1 closed while the store did not answer (its release still owed), or before a restart.
  CHECK(open(s.north, "sess-n1").verdict == Verdict::confirmed);
  s.north_db.fates["sess-n1"] = SessionFate::ended;
  CHECK(open(s.north, "sess-n2").verdict == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shopper-4").value == R"({"gate":"north","session":"sess-n2"})");
  // The release owed for sess-n1 now removes nothing of sess-n2's.
  CHECK(s.run([&](auto done) { s.north.close_shopper("shopper-4", "sess-n1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(s.kv.data.contains("/passgate/store-7/shoppers/shopper-4"));
  // Another array's holder is never taken over.
  const auto south = open(s.south, "sess-s1");
  CHECK(south.verdict == Verdict::refused);
  CHECK(south.holder_text == "gate north session sess-n2");
  // The same for a token: a denied session's claim left behind.
  CHECK(s.claim(s.north, "tok-5", "sess-n3").verdict == Verdict::confirmed);
  s.north_db.fates["sess-n3"] = SessionFate::ended;
  CHECK(s.claim(s.north, "tok-5", "sess-n4").verdict == Verdict::confirmed);
  CHECK(s.claim(s.south, "tok-5", "sess-s2").holder_text == "gate north session sess-n4");
  // With the store failing in the middle of the take-over: unavailable, nothing of ours lost.
  CHECK(s.claim(s.north, "tok-6", "sess-n5").verdict == Verdict::confirmed);
  s.north_db.fates["sess-n5"] = SessionFate::ended;
  s.kv.fail_removes = true;
  CHECK(s.claim(s.north, "tok-6", "sess-n6").verdict == Verdict::unavailable);
  CHECK(s.kv.data.at("/passgate/store-7/tokens/tok-6").value == R"({"gate":"north","session":"sess-n5"})");
}

TEST_CASE("a holder with this gate_id that this database cannot vouch for is refused, never taken over (H1)") {
  Store s;
  // Two boxes configured with the same gate_id, each with its own database.
  Sessions box1_db;
  Sessions box2_db;
  StoreCoordinator box1{s.kv, s.time, s.time, Store::settings("north", "inst-1"), box1_db.fate_of()};
  StoreCoordinator box2{s.kv, s.time, s.time, Store::settings("north", "inst-2"), box2_db.fate_of()};
  const std::string token_key = "/passgate/store-7/tokens/tok-h1";
  CHECK(s.claim(box1, "tok-h1", "sess-1").verdict == Verdict::confirmed);
  CHECK(s.kv.data.at(token_key).value == R"({"gate":"north","instance":"inst-1","session":"sess-1"})");
  box1_db.fates["sess-1"] = SessionFate::live;
  // A screenshot of the token at box 2: the holder is another database's, whatever box 2 knows.
  box2_db.fates["sess-1"] = SessionFate::ended;
  const auto replay = s.claim(box2, "tok-h1", "sess-2");
  CHECK(replay.verdict == Verdict::refused);
  CHECK(replay.holder_text == "gate north session sess-1");
  CHECK(box2.gate_id_shared() == 1);
  CHECK(s.kv.data.at(token_key).value == R"({"gate":"north","instance":"inst-1","session":"sess-1"})");
  // The same for a shopper inside through box 1.
  CHECK(s.run([&](auto done) { box1.open_shopper("shp-h1", "sess-1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(s.run([&](auto done) { box2.open_shopper("shp-h1", "sess-2", std::move(done)); }).verdict ==
        Verdict::refused);
  CHECK(box2.gate_id_shared() == 2);
  // This database's instance id, but a session it never recorded (a restored or copied database).
  CHECK(s.claim(box1, "tok-h1", "sess-3").verdict == Verdict::refused);  // sess-1 is live here
  CHECK(box1.gate_id_shared() == 0);
  box1_db.fates.erase("sess-1");
  CHECK(s.claim(box1, "tok-h1", "sess-3").verdict == Verdict::refused);
  CHECK(box1.gate_id_shared() == 1);
  // The database could not read the session (B-L3): unanswered, asked again later, never a
  // refusal (which the reconciler would book as a double use) nor a shared gate_id.
  box1_db.fates["sess-1"] = SessionFate::unreadable;
  CHECK(s.claim(box1, "tok-h1", "sess-3").verdict == Verdict::unavailable);
  CHECK(box1.gate_id_shared() == 1);
  CHECK(s.kv.data.at(token_key).value == R"({"gate":"north","instance":"inst-1","session":"sess-1"})");
  // Known here as ended: taken over.
  box1_db.fates["sess-1"] = SessionFate::ended;
  CHECK(s.claim(box1, "tok-h1", "sess-3").verdict == Verdict::confirmed);
  CHECK(s.kv.data.at(token_key).value == R"({"gate":"north","instance":"inst-1","session":"sess-3"})");
}

TEST_CASE("a holder written before instance ids is taken over only if its session ended here, and released") {
  Store s;
  Sessions db;
  StoreCoordinator north{s.kv, s.time, s.time, Store::settings("north", "inst-1"), db.fate_of()};
  const std::string key = "/passgate/store-7/shoppers/shp-old";
  // Written by this array before the upgrade (no lease: a shopper key's backstop is long).
  s.kv.data[key] = {R"({"gate":"north","session":"sess-old"})", 0};
  const auto open = [&](const std::string& session) {
    return s.run([&](auto done) { north.open_shopper("shp-old", session, std::move(done)); }).verdict;
  };
  CHECK(open("sess-new") == Verdict::refused);  // unknown here: another box's
  CHECK(north.gate_id_shared() == 1);
  db.fates["sess-old"] = SessionFate::live;
  CHECK(open("sess-new") == Verdict::refused);  // live here, but the instance cannot be told
  CHECK(north.gate_id_shared() == 1);
  // The old session's release removes its older holder.
  CHECK(s.run([&](auto done) { north.close_shopper("shp-old", "sess-old", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK_FALSE(s.kv.data.contains(key));
  s.kv.data[key] = {R"({"gate":"north","session":"sess-old"})", 0};
  db.fates["sess-old"] = SessionFate::ended;
  CHECK(open("sess-new") == Verdict::confirmed);
  CHECK(s.kv.data.at(key).value == R"({"gate":"north","instance":"inst-1","session":"sess-new"})");
}

TEST_CASE("soft anti-passback: a shopper's key held by a session still live here stays with it (L2)") {
  Store s;
  const auto open = [&](const std::string& session) {
    return s.run([&](auto done) { s.north.open_shopper("shp-soft", session, std::move(done)); }).verdict;
  };
  CHECK(open("sess-1") == Verdict::confirmed);
  s.north_db.fates["sess-1"] = SessionFate::live;
  CHECK(open("sess-2") == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-soft").value == R"({"gate":"north","session":"sess-1"})");
  CHECK(s.north.gate_id_shared() == 0);
}

TEST_CASE("a denied session's token is released only while the key still names it") {
  Store s;
  const auto release = [&](StoreCoordinator& g, const std::string& session) {
    return s.run([&](auto done) { g.release_token("tok-r", session, std::move(done)); });
  };
  CHECK(s.claim(s.north, "tok-r", "sess-n1").verdict == Verdict::confirmed);
  CHECK(release(s.south, "sess-n1").verdict == Verdict::confirmed);  // not south's: nothing removed
  CHECK(s.kv.data.contains("/passgate/store-7/tokens/tok-r"));
  CHECK(release(s.north, "sess-n1").verdict == Verdict::confirmed);
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/tokens/tok-r"));
  CHECK(s.claim(s.south, "tok-r", "sess-s1").verdict == Verdict::confirmed);
  s.kv.down = true;
  CHECK(release(s.south, "sess-s1").verdict == Verdict::unavailable);
}

TEST_CASE("a claim whose answer is lost is resolved by reading the key: our holder there is ours") {
  Store s;
  s.kv.lose_claim_answers = true;
  CHECK(s.claim(s.north, "tok-2", "sess-n1").verdict == Verdict::confirmed);
  CHECK(s.kv.gets == 1);
  // Another array's claim lost the same way finds north's holder: refused.
  const auto other = s.claim(s.south, "tok-2", "sess-s1");
  CHECK(other.verdict == Verdict::refused);
  CHECK(other.holder_text == "gate north session sess-n1");
}

TEST_CASE("with the store down every call answers unavailable with a reason, later, never inside the call") {
  Store s;
  s.kv.down = true;
  const auto claimed = s.claim(s.north, "tok-3", "sess-n1");
  CHECK(claimed.verdict == Verdict::unavailable);
  CHECK(claimed.reason.find("no member answered") != std::string::npos);
  CHECK(s.run([&](auto done) { s.north.open_shopper("shopper-1", "sess-n1", std::move(done)); }).verdict ==
        Verdict::unavailable);
  CHECK(s.run([&](auto done) { s.north.publish_totals({3, 1}, std::move(done)); }).verdict == Verdict::unavailable);
  CHECK(s.run([&](auto done) { s.north.claim_token(std::string(300, 'x'), "sess", s.time.wall_now(), std::move(done)); })
            .verdict == Verdict::unavailable);
}

TEST_CASE("a claim waiting on a lease grant that never answers ends unavailable at the coordination timeout") {
  Store s;
  s.kv.silent_grants = true;
  std::optional<Outcome> got;
  s.north.claim_token("tok-slow", "sess-n1", s.time.wall_now() + seconds(90), [&got](Outcome o) { got = std::move(o); });
  s.time.advance(std::chrono::milliseconds(299));
  CHECK_FALSE(got);
  s.time.advance(std::chrono::milliseconds(1));
  REQUIRE(got);
  CHECK(got->verdict == Verdict::unavailable);
  CHECK(got->reason == "no answer within the coordination timeout");
  CHECK(s.kv.claims == 0);
}

TEST_CASE("tokens expiring in one bucket share a lease; the next bucket's lease is granted ahead") {
  Store s;
  // exp + skew + the double-use window (a day) of the two tokens, now + 180 s and + 181 s
  // + a day, fall in the (15 min) bucket ending at + 989 s + a day.
  s.time.set_wall(WallTime{seconds(1'700'000'011)});
  CHECK(s.claim(s.north, "tok-a", "s1", seconds(60)).verdict == Verdict::confirmed);
  CHECK(s.kv.grants == 2);  // the bucket's lease and the next one's, ahead
  CHECK(s.claim(s.north, "tok-b", "s2", seconds(61)).verdict == Verdict::confirmed);
  CHECK(s.kv.grants == 2);
  CHECK(s.kv.data.at("/passgate/store-7/tokens/tok-a").lease == s.kv.data.at("/passgate/store-7/tokens/tok-b").lease);
  // The lease outlives exp + skew (120 s by default) + a day and ends within one bucket of it.
  const auto end = s.kv.leases.at(s.kv.data.at("/passgate/store-7/tokens/tok-a").lease);
  CHECK(end == s.time.wall_now() + seconds(989) + kDoubleUseWindow);
  CHECK(end - (s.time.wall_now() + seconds(181) + kDoubleUseWindow) < kLeaseBucket);
  // Long after the token's end its key is still there, for a double use to be found.
  s.time.advance(seconds(989) + kDoubleUseWindow - seconds(1));
  CHECK(s.claim(s.south, "tok-a", "s9").verdict == Verdict::refused);
  // Once the window is over its key is gone, and a claim finds it free.
  s.time.advance(seconds(1));
  CHECK(s.claim(s.south, "tok-a", "s9").verdict == Verdict::confirmed);
}

TEST_CASE("a lease found gone is granted again once and the claim goes through") {
  Store s;
  CHECK(s.claim(s.north, "tok-c", "s1").verdict == Verdict::confirmed);
  s.kv.revoke_next_lease_use = true;
  const auto before = s.kv.grants;
  CHECK(s.claim(s.north, "tok-d", "s1").verdict == Verdict::confirmed);
  CHECK(s.kv.grants == before + 1);
}

TEST_CASE("a shopper's open session blocks the other array until this array closes it") {
  Store s;
  const auto open = [&](StoreCoordinator& g, const std::string& session) {
    return s.run([&](auto done) { g.open_shopper("shopper-9", session, std::move(done)); });
  };
  CHECK(open(s.north, "sess-n1").verdict == Verdict::confirmed);
  CHECK(open(s.south, "sess-s1").verdict == Verdict::refused);
  std::optional<std::int64_t> n;
  s.north.count_open_sessions([&n](Result<std::int64_t> r) { n = *r; });
  s.time.run_ready();
  CHECK(n == 1);
  // South cannot close north's session; north can.
  CHECK(s.run([&](auto done) { s.south.close_shopper("shopper-9", "sess-s1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(open(s.south, "sess-s2").verdict == Verdict::refused);
  CHECK(s.run([&](auto done) { s.north.close_shopper("shopper-9", "sess-n1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(open(s.south, "sess-s2").verdict == Verdict::confirmed);
}

TEST_CASE("occupancy sums every array's own totals; writing them again never counts twice") {
  Store s;
  CHECK(s.run([&](auto done) { s.north.publish_totals({10, 4}, std::move(done)); }).verdict == Verdict::confirmed);
  CHECK(s.run([&](auto done) { s.north.publish_totals({10, 4}, std::move(done)); }).verdict == Verdict::confirmed);
  CHECK(s.run([&](auto done) { s.south.publish_totals({3, 6}, std::move(done)); }).verdict == Verdict::confirmed);
  s.kv.data["/passgate/store-7/occupancy/bogus"] = {"{\"entered\":-1}", 0};
  std::optional<Occupancy> seen;
  s.south.read_occupancy([&seen](Result<Occupancy> r) { seen = *r; });
  s.time.run_ready();
  REQUIRE(seen);
  CHECK(seen->entered == 13);
  CHECK(seen->exited == 10);
  CHECK(seen->inside() == 3);
  CHECK(seen->arrays == 2);
  CHECK(seen->unreadable == 1);
}

TEST_CASE("lease buckets: a key lives until its end, at most one bucket more, and never less than etcd's minimum") {
  LeaseBook book(seconds(30));
  const WallTime t0{seconds(1'000'000'005)};
  CHECK(book.bucket_of(t0) == WallTime{seconds(1'000'000'020)});
  CHECK(book.bucket_of(WallTime{seconds(1'000'000'020)}) == WallTime{seconds(1'000'000'020)});
  CHECK(LeaseBook::ttl_for(WallTime{seconds(1'000'000'020)}, t0, kMinLeaseTtl) == seconds(15));
  CHECK(LeaseBook::ttl_for(t0, t0, kMinLeaseTtl) == kMinLeaseTtl);
  book.add(WallTime{seconds(1'000'000'020)}, 7);
  CHECK(book.find(WallTime{seconds(1'000'000'020)}, t0) == 7);
  CHECK_FALSE(book.find(WallTime{seconds(1'000'000'020)}, WallTime{seconds(1'000'000'021)}));
  CHECK(book.size() == 0);
}

TEST_CASE("an entry claims token and shopper in one transaction, each key with its bucket's lease") {
  Store s;
  std::vector<std::pair<std::string, std::chrono::nanoseconds>> timed;
  s.north.on_claim_timed([&timed](const char* kind, std::chrono::nanoseconds took) { timed.emplace_back(kind, took); });
  const auto [token, shopper] = s.entry(s.north, "tok-e1", "shp-e1", "sess-n1");
  CHECK(token.verdict == Verdict::confirmed);
  CHECK(shopper.verdict == Verdict::confirmed);
  const auto& token_key = s.kv.data.at("/passgate/store-7/tokens/tok-e1");
  const auto& shopper_key = s.kv.data.at("/passgate/store-7/shoppers/shp-e1");
  CHECK(token_key.value == R"({"gate":"north","session":"sess-n1"})");
  CHECK(shopper_key.value == R"({"gate":"north","session":"sess-n1"})");
  CHECK(token_key.lease != shopper_key.lease);  // a day and more vs the 12 h backstop
  CHECK(s.kv.claim_twos == 1);
  CHECK(s.kv.claims == 0);
  REQUIRE(timed.size() == 1);
  CHECK(timed[0].first == "entry");
  // With both buckets' leases held: one call to the store, nothing else.
  const auto grants = s.kv.grants;
  s.time.advance(std::chrono::milliseconds(5));
  const auto [t2, s2] = s.entry(s.north, "tok-e2", "shp-e2", "sess-n2");
  CHECK(t2.verdict == Verdict::confirmed);
  CHECK(s2.verdict == Verdict::confirmed);
  CHECK(s.kv.claim_twos == 2);
  CHECK(s.kv.claims == 0);
  CHECK(s.kv.gets == 0);
  CHECK(s.kv.grants == grants);
  CHECK(timed.size() == 2);
}

TEST_CASE("an entry whose token is held by another array: the token refused, the shopper's key not written") {
  Store s;
  CHECK(s.claim(s.south, "tok-t", "sess-s1").verdict == Verdict::confirmed);
  const auto [token, shopper] = s.entry(s.north, "tok-t", "shp-t", "sess-n1");
  REQUIRE(token.verdict == Verdict::refused);
  CHECK(token.holder_text == "gate south session sess-s1");
  CHECK(shopper.verdict == Verdict::unavailable);
  CHECK(shopper.reason == "not claimed: the token is held by another gate array");
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/shoppers/shp-t"));
  CHECK(s.kv.claim_twos == 1);
  CHECK(s.kv.claims == 1);  // south's only
  // This array's own older claim of the token (an ended session): taken over, the shopper claimed.
  CHECK(s.claim(s.north, "tok-t2", "sess-n0").verdict == Verdict::confirmed);
  s.north_db.fates["sess-n0"] = SessionFate::ended;
  const auto [t2, s2] = s.entry(s.north, "tok-t2", "shp-t", "sess-n2");
  CHECK(t2.verdict == Verdict::confirmed);
  CHECK(s2.verdict == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-t").value == R"({"gate":"north","session":"sess-n2"})");
}

TEST_CASE("a claim with no time left once its lease is granted is not sent: unavailable, nothing written or read") {
  Store s;
  s.kv.grant_delay = std::chrono::milliseconds(197);  // of the 200 ms claim budget
  std::optional<std::pair<Outcome, Outcome>> got;
  s.north.claim_entry("tok-late", s.time.wall_now() + seconds(90), "shp-late", "sess-n1",
                      [&got](Outcome t, Outcome sh) { got.emplace(std::move(t), std::move(sh)); });
  s.time.advance(std::chrono::milliseconds(300));
  REQUIRE(got);
  CHECK(got->first.verdict == Verdict::unavailable);
  CHECK(got->second.verdict == Verdict::unavailable);
  CHECK(got->first.reason == "no time left to send the claim: nothing sent");
  CHECK(s.kv.claim_twos == 0);
  CHECK(s.kv.claims == 0);
  CHECK(s.kv.gets == 0);
  // The same with time enough: sent and claimed.
  s.kv.grant_delay = std::chrono::milliseconds(150);
  const auto claimed = [&] {
    std::optional<Outcome> one;
    s.north.claim_token("tok-late2", "sess-n2", s.time.wall_now() + seconds(5000), [&one](Outcome o) { one = o; });
    s.time.advance(std::chrono::milliseconds(300));
    return one;
  }();
  REQUIRE(claimed);
  CHECK(claimed->verdict == Verdict::confirmed);
}

TEST_CASE("a claim that lands after its session's release writes nothing; the other array then claims") {
  Store s;
  const auto release = [&](StoreCoordinator& g, const std::string& session) {
    CHECK(s.run([&](auto done) { g.release_token("tok-z", session, std::move(done)); }).verdict ==
          Verdict::confirmed);
    CHECK(s.run([&](auto done) { g.close_shopper("shp-z", session, std::move(done)); }).verdict ==
          Verdict::confirmed);
  };
  // North's claims were held in the network; its session was released (finding nothing) before
  // they arrived.
  release(s.north, "sess-n1");
  const auto& fence = s.kv.data.at("/passgate/store-7/released/sess-n1/token");
  CHECK(s.kv.data.at("/passgate/store-7/released/sess-n1/shopper").value == fence.value);
  CHECK(fence.value == R"({"gate":"north","session":"sess-n1"})");
  const auto [token, shopper] = s.entry(s.north, "tok-z", "shp-z", "sess-n1");
  CHECK(token.verdict == Verdict::confirmed);
  CHECK(token.reason == "the key was released for this session already: nothing written");
  CHECK(shopper.reason == token.reason);
  CHECK(s.run([&](auto done) { s.north.open_shopper("shp-z", "sess-n1", std::move(done)); }).reason == token.reason);
  CHECK(s.claim(s.north, "tok-z", "sess-n1").reason == token.reason);
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/tokens/tok-z"));
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/shoppers/shp-z"));
  // South admits the shopper and the token.
  const auto [t2, s2] = s.entry(s.south, "tok-z", "shp-z", "sess-s1");
  CHECK(t2.verdict == Verdict::confirmed);
  CHECK(t2.reason.empty());
  CHECK(s2.verdict == Verdict::confirmed);
  // The fence outlives the token key's lease (and so any late claim's).
  const auto token_lease = s.kv.data.at("/passgate/store-7/tokens/tok-z").lease;
  CHECK(s.kv.leases.at(fence.lease) >= s.kv.leases.at(token_lease));
  CHECK(s.kv.leases.at(fence.lease) >= s.time.wall_now() + seconds(12 * 3600 + 24 * 3600 + 120));
  // A release that removes the key writes the fence too; another session is not fenced.
  release(s.south, "sess-s1");
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/tokens/tok-z"));
  CHECK(s.kv.data.contains("/passgate/store-7/released/sess-s1/token"));
  const auto [t3, s3] = s.entry(s.north, "tok-z", "shp-z", "sess-n2");
  CHECK(t3.reason.empty());
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-z").value == R"({"gate":"north","session":"sess-n2"})");
  // Per key: a session whose shopper's key was released (it ended) still claims its token
  // (an owed claim: the double-use check); the entry's transaction writes nothing, each key
  // then goes on alone.
  CHECK(s.run([&](auto done) { s.south.close_shopper("shp-q", "sess-s5", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(s.claim(s.south, "tok-q", "sess-s5").reason.empty());
  CHECK(s.kv.data.at("/passgate/store-7/tokens/tok-q").value == R"({"gate":"south","session":"sess-s5"})");
  const auto [t4, s4] = s.entry(s.south, "tok-q2", "shp-q", "sess-s5");
  CHECK(t4.verdict == Verdict::confirmed);
  CHECK(t4.reason.empty());
  CHECK(s4.reason == token.reason);
  CHECK(s.kv.data.contains("/passgate/store-7/tokens/tok-q2"));
  CHECK_FALSE(s.kv.data.contains("/passgate/store-7/shoppers/shp-q"));
}

TEST_CASE("a release whose fence lease is gone is unavailable and forgets it; the next one grants another") {
  Store s;
  CHECK(s.run([&](auto done) { s.north.close_shopper("shp-r", "sess-n1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  const auto lease = s.kv.data.at("/passgate/store-7/released/sess-n1/shopper").lease;
  s.kv.leases.erase(lease);
  CHECK(s.run([&](auto done) { s.north.close_shopper("shp-r", "sess-n2", std::move(done)); }).verdict ==
        Verdict::unavailable);
  CHECK(s.run([&](auto done) { s.north.close_shopper("shp-r", "sess-n2", std::move(done)); }).verdict ==
        Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/released/sess-n2/shopper").lease != lease);
}

TEST_CASE("a held key whose claim carries a gone lease is refused with its holder, as etcd does") {
  Store s;
  CHECK(s.claim(s.north, "tok-h", "sess-n1").verdict == Verdict::confirmed);
  CHECK(s.claim(s.south, "tok-h0", "sess-s0").verdict == Verdict::confirmed);
  s.kv.leases.erase(s.kv.data.at("/passgate/store-7/tokens/tok-h0").lease);  // south's bucket lease
  const auto grants = s.kv.grants;
  const auto replay = s.claim(s.south, "tok-h", "sess-s1");
  CHECK(replay.verdict == Verdict::refused);
  CHECK(replay.holder_text == "gate north session sess-n1");
  CHECK(s.kv.grants == grants);
}

TEST_CASE("an entry whose shopper is inside through another array: refused for the shopper, the token claimed") {
  Store s;
  CHECK(s.run([&](auto done) { s.south.open_shopper("shp-o", "sess-s1", std::move(done)); }).verdict ==
        Verdict::confirmed);
  const auto [token, shopper] = s.entry(s.north, "tok-o", "shp-o", "sess-n1");
  CHECK(token.verdict == Verdict::confirmed);
  REQUIRE(shopper.verdict == Verdict::refused);
  CHECK(shopper.holder_text == "gate south session sess-s1");
  CHECK(s.kv.data.at("/passgate/store-7/tokens/tok-o").value == R"({"gate":"north","session":"sess-n1"})");
  CHECK(s.north.gate_id_shared() == 0);
  // Both held elsewhere: both refused, nothing written.
  CHECK(s.claim(s.south, "tok-o2", "sess-s1").verdict == Verdict::confirmed);
  const auto [t2, s2] = s.entry(s.north, "tok-o2", "shp-o", "sess-n2");
  CHECK(t2.verdict == Verdict::refused);
  CHECK(s2.verdict == Verdict::refused);
}

TEST_CASE("an entry finding this array's key of an ended session takes it over; of a live one, confirmed (soft)") {
  Store s;
  CHECK(s.entry(s.north, "tok-f1", "shp-f", "sess-n1").second.verdict == Verdict::confirmed);
  s.north_db.fates["sess-n1"] = SessionFate::ended;
  const auto [token, shopper] = s.entry(s.north, "tok-f2", "shp-f", "sess-n2");
  CHECK(token.verdict == Verdict::confirmed);
  CHECK(shopper.verdict == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-f").value == R"({"gate":"north","session":"sess-n2"})");
  s.north_db.fates["sess-n2"] = SessionFate::live;
  const auto [t3, s3] = s.entry(s.north, "tok-f3", "shp-f", "sess-n3");
  CHECK(t3.verdict == Verdict::confirmed);
  CHECK(s3.verdict == Verdict::confirmed);
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-f").value == R"({"gate":"north","session":"sess-n2"})");
  // The same entry sent again (its earlier answer lost) finds its own holders: confirmed.
  const auto [t4, s4] = s.entry(s.north, "tok-f3", "shp-f", "sess-n3");
  CHECK(t4.verdict == Verdict::confirmed);
  CHECK(s4.verdict == Verdict::confirmed);
  CHECK(s.north.gate_id_shared() == 0);
}

TEST_CASE("an entry whose answer is lost reads both keys back; unreadable, both unavailable") {
  Store s;
  s.kv.lose_claim_answers = true;
  const auto [token, shopper] = s.entry(s.north, "tok-l", "shp-l", "sess-n1");
  CHECK(token.verdict == Verdict::confirmed);
  CHECK(shopper.verdict == Verdict::confirmed);
  CHECK(s.kv.gets == 2);
  // South's entry, lost the same way, finds north's holders.
  const auto [t2, s2] = s.entry(s.south, "tok-l", "shp-l", "sess-s1");
  CHECK(t2.holder_text == "gate north session sess-n1");
  CHECK(s2.holder_text == "gate north session sess-n1");
  s.kv.lose_reads = true;
  const auto [t3, s3] = s.entry(s.north, "tok-l3", "shp-l3", "sess-n3");
  CHECK(t3.verdict == Verdict::unavailable);
  CHECK(s3.verdict == Verdict::unavailable);
  CHECK(t3.reason.find("reading the key back") != std::string::npos);
}

TEST_CASE("an entry's lease found gone is dropped from the book, granted again, and both keys are claimed") {
  Store s;
  CHECK(s.entry(s.north, "tok-g1", "shp-g1", "sess-n1").first.verdict == Verdict::confirmed);
  const auto gone = s.kv.data.at("/passgate/store-7/tokens/tok-g1").lease;
  const auto kept = s.kv.data.at("/passgate/store-7/shoppers/shp-g1").lease;
  s.kv.leases.erase(gone);  // revoked: etcd does not say which of the two
  const auto grants = s.kv.grants;
  const auto [token, shopper] = s.entry(s.north, "tok-g2", "shp-g2", "sess-n2");
  CHECK(token.verdict == Verdict::confirmed);
  CHECK(shopper.verdict == Verdict::confirmed);
  const auto token_lease = s.kv.data.at("/passgate/store-7/tokens/tok-g2").lease;
  CHECK(token_lease != gone);
  CHECK(s.kv.leases.contains(token_lease));
  CHECK(s.kv.data.at("/passgate/store-7/shoppers/shp-g2").lease != kept);  // both buckets granted again
  CHECK(s.kv.grants == grants + 2);
  // The next entry uses the new leases at once: one call.
  const auto calls = s.kv.claim_twos + s.kv.claims + s.kv.grants;
  CHECK(s.entry(s.north, "tok-g3", "shp-g3", "sess-n3").first.verdict == Verdict::confirmed);
  CHECK(s.kv.claim_twos + s.kv.claims + s.kv.grants == calls + 1);
}

TEST_CASE("an entry ends within the coordination timeout, both unavailable, when a lease grant never answers") {
  Store s;
  s.kv.silent_grants = true;
  std::vector<std::chrono::nanoseconds> timed;
  s.north.on_claim_timed([&timed](const char* kind, std::chrono::nanoseconds took) {
    CHECK(std::string(kind) == "entry");
    timed.push_back(took);
  });
  std::optional<std::pair<Outcome, Outcome>> got;
  s.north.claim_entry("tok-x", s.time.wall_now() + seconds(90), "shp-x", "sess-n1",
                      [&got](Outcome t, Outcome sh) { got.emplace(std::move(t), std::move(sh)); });
  s.time.advance(std::chrono::milliseconds(299));
  CHECK_FALSE(got);
  s.time.advance(std::chrono::milliseconds(1));
  REQUIRE(got);
  CHECK(got->first.verdict == Verdict::unavailable);
  CHECK(got->second.verdict == Verdict::unavailable);
  CHECK(got->first.reason == "no answer within the coordination timeout");
  CHECK(s.kv.claim_twos == 0);
  CHECK(timed == std::vector<std::chrono::nanoseconds>{std::chrono::milliseconds(300)});
}

TEST_CASE("an entry with the store down: both unavailable; with an id that cannot be a key, the other claimed alone") {
  Store s;
  s.kv.down = true;
  const auto [t2, s2] = s.entry(s.north, "tok-y", "shp-y", "sess-n2");
  CHECK(t2.verdict == Verdict::unavailable);
  CHECK(s2.verdict == Verdict::unavailable);
  s.kv.down = false;
  const auto [t3, s3] = s.entry(s.north, std::string(300, 'x'), "shp-z", "sess-n3");
  CHECK(t3.verdict == Verdict::unavailable);
  CHECK(s3.verdict == Verdict::confirmed);
}
