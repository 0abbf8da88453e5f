// BatchedTransactions: lets passgate-bench-year-db write a year through the real stores of db/
// in one transaction per store day instead of one per store call (about five million). Each
// store opens its own transaction with SQLiteCpp (BEGIN IMMEDIATE ... COMMIT, or ROLLBACK),
// which SQLite refuses inside another one; while a batch is open, this program's
// sqlite3_exec (batched_transactions.cpp, interposed in this executable only, never in the
// daemon) turns those into a savepoint within the batch's transaction, so every store call
// still commits or rolls back as a unit, and the batch commits at the end. Benchmark tool only.
#pragma once

#include "db/database.hpp"

namespace passgate::bench {

class BatchedTransactions {
 public:
  // Begins the batch's transaction on `db`. Throws std::runtime_error if it cannot.
  explicit BatchedTransactions(db::Database& db);
  // Commits it. Throws std::runtime_error if it cannot.
  void commit();
  // Rolls it back if not committed.
  ~BatchedTransactions();
  BatchedTransactions(const BatchedTransactions&) = delete;
  BatchedTransactions& operator=(const BatchedTransactions&) = delete;

 private:
  db::Database& db_;
  bool open_ = true;
};

}  // namespace passgate::bench
