#include "db/passage_totals.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

Result<PassageCounts> read_passage_totals(Database& db) {
  return guarded("read the passage totals", [&]() -> Result<PassageCounts> {
    PassageCounts counts;
    auto query = db.statement("SELECT direction, n FROM passage_totals");
    while (query->executeStep()) {
      (query->getColumn(0).getString() == "in" ? counts.in : counts.out) = query->getColumn(1).getInt64();
    }
    return counts;
  });
}

}  // namespace passgate::db
