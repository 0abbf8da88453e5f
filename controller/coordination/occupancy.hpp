// Occupancy: how many people are inside the store, from every gate array's own totals.
// Each array writes only its own key, occupancy/<gate_id> = {"entered":N,"exited":M}: the
// passages it has counted since it was installed, taken from its local durable record. The
// write is absolute, not an increment, so sending it again (after a time-out, after a
// restart) never counts twice, two arrays never contend for one key, and a box that dies
// leaves its last totals standing: the people it let in are still inside until they leave
// by any exit. (Per-session presence keys would need an exit passage to name its session,
// which exits do not know; shared counters would need a read-modify-write per passage and
// could count twice after an unknown outcome.) Pure, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/store_kv.hpp"

namespace passgate::coordination {

struct PassageTotals {
  std::int64_t entered = 0;  // people admitted at this array's entry lanes
  std::int64_t exited = 0;   // passages through its exit lanes
};

struct Occupancy {
  std::int64_t entered = 0;
  std::int64_t exited = 0;
  std::int64_t arrays = 0;      // gate arrays that have written their totals
  std::int64_t unreadable = 0;  // keys under occupancy/ whose value is not totals (skipped)
  // People inside: entered - exited, never below 0 (exits are counted whoever passes).
  [[nodiscard]] std::int64_t inside() const { return entered > exited ? entered - exited : 0; }
};

[[nodiscard]] std::string totals_value(const PassageTotals& totals);
[[nodiscard]] std::optional<PassageTotals> read_totals(std::string_view value);
[[nodiscard]] Occupancy sum_occupancy(const std::vector<StoreKeyValue>& keys);

}  // namespace passgate::coordination
