// BatchedTransactions: lets passgate-bench-year-db write a year through the real stores of db/
// in one transaction per store day instead of one per store call (about five million). Each
// store opens its own transaction with SQLiteCpp (BEGIN IMMEDIATE ... COMMIT, or ROLLBACK),
// which SQLite refuses inside another one; while a batch is open, this program's
// sqlite3_exec (batched_transactions.cpp, interposed in this executable only, never in the
// daemon) lets those pass as done, and a store's rollback (it refused a call) spoils the
// batch: commit() then throws and the batch rolls back whole. The generator stops on any
// store error anyway. Benchmark tool only.
#pragma once

#include "db/database.hpp"

namespace passgate::bench {

class BatchedTransactions {
 public:
  // Begins the batch's transaction on `db`. Throws std::runtime_error if it cannot.
  explicit BatchedTransactions(db::Database& db);
  // Commits it. Throws std::runtime_error if it cannot, or if a store call rolled back.
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
