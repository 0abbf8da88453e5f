// The passages this gate array has reported in and out since migration 23, counted by a
// trigger as each passage is queued for the tracking engine (whatever its kind: an admitted
// entry, a tailgater, a forced or wrong-way passage, an exit): the totals it publishes for the
// store's occupancy (controller/store/store_occupancy.hpp). Read-only here.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::db {

struct PassageCounts {
  std::int64_t in = 0;
  std::int64_t out = 0;
};

[[nodiscard]] Result<PassageCounts> read_passage_totals(Database& db);

}  // namespace passgate::db
