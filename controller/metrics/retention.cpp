#include "controller/metrics/retention.hpp"

#include <array>
#include <utility>

#include "db/file_space.hpp"

namespace passgate::controller {

namespace {

constexpr std::array<std::pair<const char*, std::int64_t db::DeletedRows::*>, 8> kTables = {{
    {"sessions", &db::DeletedRows::sessions},
    {"payment_ops", &db::DeletedRows::payment_ops},
    {"carts", &db::DeletedRows::carts},
    {"settlements", &db::DeletedRows::settlements},
    {"quarantined_carts", &db::DeletedRows::quarantined_carts},
    {"audit_log", &db::DeletedRows::audit_log},
    {"card_attempts", &db::DeletedRows::card_attempts},
    {"card_blocklist", &db::DeletedRows::card_blocklist},
}};

}  // namespace

RetentionMetrics::RetentionMetrics(metrics::Registry& registry, const RetentionSweeper& sweeper, db::Database& db)
    : sweeper_(sweeper),
      db_(db),
      deleted_(registry.counter("passgate_retention_deleted_rows_total",
                                "Final records deleted by retention (database.retention_days, "
                                "audit_retention_days), by table.",
                                {"table"})),
      skipped_(registry.counter("passgate_retention_skipped_sessions_total",
                                "Sessions a retention sweep passed over because deleting them failed alone (their "
                                "rows kept; event=retention_session_skipped says why).")),
      size_(registry.gauge("passgate_database_size_bytes",
                           "The database's size (its pages, free ones included; the WAL not counted).")),
      free_(registry.gauge("passgate_database_free_bytes",
                           "Pages of the database that are free: reused by SQLite, or handed back to the file "
                           "system after each retention sweep.")) {
  for (const auto& [table, count] : kTables) deleted_.init({table});
  skipped_.init({});
  registry.add_collector([this] { collect(); });
}

void RetentionMetrics::collect() {
  const db::DeletedRows& deleted = sweeper_.deleted_total();
  for (const auto& [table, count] : kTables) deleted_.set({table}, static_cast<double>(deleted.*count));
  skipped_.set({}, static_cast<double>(sweeper_.skipped_sessions()));
  size_.clear();
  free_.clear();
  if (auto pages = db::file_pages(db_)) {
    size_.set({}, static_cast<double>(pages->bytes()));
    free_.set({}, static_cast<double>(pages->free_bytes()));
  }
}

}  // namespace passgate::controller
