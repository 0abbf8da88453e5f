// StoreOccupancy over a fake etcd in virtual time: this array's passage totals (queued
// passages, in and out) are written when they change and every array's read back every 10 s;
// a round the store does not answer is told (answering false, with why) and the next one
// catches up. Beside the admission tests: it reads the same database the entry path writes.
#include <catch2/catch.hpp>

#include "controller/store/store_occupancy.hpp"
#include "db/outbox.hpp"
#include "tests/admission/admission_fixture.hpp"
#include "tests/coordination/fake_store_kv.hpp"

using namespace passgate;
using std::chrono::seconds;

namespace {

void queue_passage(test::AdmissionFixture& f, const std::string& direction) {
  const std::string body = R"({"passage_id":"p","direction":")" + direction + R"(","kind":"exit"})";
  REQUIRE(f.outbox->enqueue(db::OutboxMessage{"passage", "/v1/passages", body, ""}, 0).ok());
}

}  // namespace

TEST_CASE("store occupancy: this array's totals are published when they change, every array's read back") {
  test::AdmissionFixture f;
  test::FakeStoreKv kv{f.vt};
  coordination::CoordinationSettings settings;
  settings.store_id = "store-7";
  settings.gate_id = "north";
  coordination::StoreCoordinator north{kv, f.vt, f.vt, settings};
  settings.gate_id = "south";
  coordination::StoreCoordinator south{kv, f.vt, f.vt, settings};
  controller::StoreOccupancy occupancy(north, *f.database, f.vt, f.vt);

  std::optional<coordination::Outcome> written;
  south.publish_totals({5, 2}, [&](auto o) { written = o; });
  queue_passage(f, "in");
  queue_passage(f, "in");
  queue_passage(f, "out");
  occupancy.start();
  f.vt.run_ready();
  REQUIRE(written);
  const auto& view = occupancy.view();
  REQUIRE(view.occupancy);
  CHECK(view.answering);
  CHECK(view.occupancy->entered == 7);
  CHECK(view.occupancy->exited == 3);
  CHECK(view.occupancy->inside() == 4);
  CHECK(view.occupancy->arrays == 2);
  CHECK(kv.data.at("/passgate/store-7/occupancy/north").value == R"({"entered":2,"exited":1})");

  // The store stops answering: told, and the figures kept; the next round after it is back
  // writes what changed meanwhile.
  kv.down = true;
  queue_passage(f, "out");
  f.vt.advance(seconds(10));
  CHECK_FALSE(view.answering);
  CHECK_FALSE(view.last_error.empty());
  CHECK(view.occupancy->exited == 3);
  kv.down = false;
  f.vt.advance(seconds(10));
  CHECK(view.answering);
  CHECK(view.occupancy->exited == 4);
  CHECK(kv.data.at("/passgate/store-7/occupancy/north").value == R"({"entered":2,"exited":2})");
}
