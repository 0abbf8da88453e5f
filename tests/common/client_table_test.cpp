// ClientTable (common/client_table.hpp): bounded; a new client in a full table takes the place
// of the least recently seen idle one, else of the least recently seen, and is never refused.
#include <catch2/catch.hpp>

#include <string>

#include "common/client_table.hpp"

namespace passgate {
namespace {

using namespace std::chrono_literals;

struct Entry {
  int value = 0;
  bool busy = false;
};

TEST_CASE("a full client table makes room for a new client: the oldest idle one goes, else the oldest") {
  const SteadyTime t0{};
  ClientTable<Entry> table(3);
  const auto idle = [](const Entry& e, SteadyTime) { return !e.busy; };
  const auto make = [] { return Entry{}; };
  table.at("a", t0, make, idle).busy = true;
  table.at("b", t0 + 1s, make, idle);
  table.at("c", t0 + 2s, make, idle);
  table.at("b", t0 + 3s, make, idle).value = 7;  // seen again: now the newest
  table.at("d", t0 + 4s, make, idle);             // "c" is the oldest idle one
  CHECK(table.size() == 3);
  CHECK(table.find("c") == nullptr);
  REQUIRE(table.find("b") != nullptr);
  CHECK(table.find("b")->value == 7);
  REQUIRE(table.find("a") != nullptr);  // busy, though the oldest

  table.find("b")->busy = true;
  table.find("d")->busy = true;
  table.at("e", t0 + 5s, make, idle);  // nobody idle: the least recently seen goes
  CHECK(table.size() == 3);
  CHECK(table.find("a") == nullptr);
  CHECK(table.find("e") != nullptr);
}

}  // namespace
}  // namespace passgate
