// RetentionMetrics: what retention has deleted since start, by table, and the sessions it
// passed over (the sweeper's totals, controller/storage/retention_sweeper.hpp), and the
// database's size with its free pages, read
// at every scrape (a failed read leaves the size out of that scrape; it is counted in
// passgate_database_errors_total). The registry must not render after it is gone.
// Single-threaded, on the event loop.
#pragma once

#include "controller/metrics/registry.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "db/database.hpp"

namespace passgate::controller {

class RetentionMetrics {
 public:
  RetentionMetrics(metrics::Registry& registry, const RetentionSweeper& sweeper, db::Database& db);
  RetentionMetrics(const RetentionMetrics&) = delete;
  RetentionMetrics& operator=(const RetentionMetrics&) = delete;

 private:
  void collect();

  const RetentionSweeper& sweeper_;
  db::Database& db_;
  metrics::Counter& deleted_;
  metrics::Counter& skipped_;
  metrics::Gauge& size_;
  metrics::Gauge& free_;
};

}  // namespace passgate::controller
