// VirtualTime fires timers in due order, only when time is advanced, and never after
// their handle is gone.
#include <catch2/catch.hpp>

#include <vector>

#include "common/virtual_time.hpp"

using namespace std::chrono_literals;

TEST_CASE("virtual time fires timers in due order when advanced") {
  passgate::VirtualTime vt;
  std::vector<int> fired;
  auto t2 = vt.start(200ms, [&] { fired.push_back(2); });
  auto t1 = vt.start(100ms, [&] { fired.push_back(1); });
  vt.advance(99ms);
  CHECK(fired.empty());
  vt.advance(1ms);
  CHECK(fired == std::vector<int>{1});
  vt.advance(1s);
  CHECK(fired == std::vector<int>{1, 2});
}

TEST_CASE("a destroyed timer handle never fires") {
  passgate::VirtualTime vt;
  bool fired = false;
  auto t = vt.start(10ms, [&] { fired = true; });
  t.reset();
  vt.advance(1s);
  CHECK_FALSE(fired);
}

TEST_CASE("wall time moves with virtual time") {
  passgate::VirtualTime vt;
  const auto w0 = vt.wall_now();
  vt.advance(1500ms);
  CHECK(vt.wall_now() - w0 == 1500ms);
}
