// Debouncer: a level is accepted only after it has been stable for the debounce time; a
// bouncing line produces nothing; 0 ms passes changes straight through; with raise_at_once
// (the fire alarm) only the return to inactive waits.
#include <catch2/catch.hpp>

#include <vector>

#include "common/virtual_time.hpp"
#include "hw/debouncer.hpp"

using namespace std::chrono_literals;
using passgate::hw::Debouncer;

namespace {

struct Recorded {
  passgate::VirtualTime vt;
  std::vector<bool> levels;
  Debouncer make(passgate::Millis stable_for, bool initial = false, Debouncer::Edges edges = Debouncer::Edges::both) {
    return Debouncer(
        vt, stable_for, initial, [this](bool level) { levels.push_back(level); }, edges);
  }
};

}  // namespace

TEST_CASE("a level held for the debounce time is accepted once") {
  Recorded r;
  auto d = r.make(10ms);
  d.feed(true);
  r.vt.advance(9ms);
  CHECK(r.levels.empty());
  CHECK_FALSE(d.level());
  r.vt.advance(1ms);
  CHECK(r.levels == std::vector<bool>{true});
  CHECK(d.level());
  d.feed(true);  // a repeat is no change
  r.vt.advance(1s);
  CHECK(r.levels == std::vector<bool>{true});
}

TEST_CASE("a bouncing line produces no change") {
  Recorded r;
  auto d = r.make(10ms);
  for (int i = 0; i < 20; ++i) {
    d.feed(i % 2 == 0);
    r.vt.advance(4ms);
  }
  // ended low (the last feed was false), which is where it started
  r.vt.advance(1s);
  CHECK(r.levels.empty());
  CHECK_FALSE(d.level());
}

TEST_CASE("every raw change restarts the wait for stability") {
  Recorded r;
  auto d = r.make(10ms);
  d.feed(true);
  r.vt.advance(6ms);
  d.feed(false);
  r.vt.advance(2ms);
  d.feed(true);  // stable from here on
  r.vt.advance(9ms);
  CHECK(r.levels.empty());
  r.vt.advance(1ms);
  CHECK(r.levels == std::vector<bool>{true});
}

TEST_CASE("zero debounce passes every change through immediately") {
  Recorded r;
  auto d = r.make(0ms, true);
  d.feed(false);
  d.feed(true);
  d.feed(true);
  CHECK(r.levels == std::vector<bool>{false, true});
  CHECK(r.vt.pending() == 0);
}

TEST_CASE("the initial level is the starting point and not reported") {
  Recorded r;
  auto d = r.make(10ms, true);
  CHECK(d.level());
  d.feed(true);
  r.vt.advance(1s);
  CHECK(r.levels.empty());
  d.feed(false);
  r.vt.advance(10ms);
  CHECK(r.levels == std::vector<bool>{false});
}

TEST_CASE("with raise_at_once a change to active passes at once and only the return to inactive waits") {
  Recorded r;
  auto d = r.make(10ms, false, Debouncer::Edges::raise_at_once);
  d.feed(true);
  CHECK(r.levels == std::vector<bool>{true});
  CHECK(d.level());
  CHECK(r.vt.pending() == 0);
  d.feed(false);
  r.vt.advance(9ms);
  CHECK(d.level());
  d.feed(true);  // back before it settled: still active, nothing reported
  r.vt.advance(1s);
  CHECK(r.levels == std::vector<bool>{true});
  d.feed(false);
  r.vt.advance(10ms);
  CHECK(r.levels == std::vector<bool>{true, false});
  CHECK_FALSE(d.level());
}

TEST_CASE("with raise_at_once a line chattering faster than the debounce time is reported active and stays so") {
  Recorded r;
  auto d = r.make(10ms, false, Debouncer::Edges::raise_at_once);
  for (int i = 0; i < 20; ++i) {
    d.feed(i % 2 == 0);
    r.vt.advance(4ms);
  }
  CHECK(r.levels == std::vector<bool>{true});
  CHECK(d.level());
  // the chattering ended inactive (the last feed was false): that settles after the debounce time
  r.vt.advance(1s);
  CHECK(r.levels == std::vector<bool>{true, false});
}
