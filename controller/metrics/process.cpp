#include "controller/metrics/process.hpp"

#include "common/time_format.hpp"
#include "db/sqlite_error.hpp"

#ifndef PASSGATE_VERSION
#error "PASSGATE_VERSION is defined by controller/CMakeLists.txt"
#endif

namespace passgate::controller {

std::string_view build_version() { return PASSGATE_VERSION; }

ProcessMetrics::ProcessMetrics(metrics::Registry& registry, Clock& clock)
    : database_errors_(registry.counter("passgate_database_errors_total",
                                        "Database operations that failed, by error code: disk_full, db_busy (locked "
                                        "longer than the busy timeout) or db_error (anything else).",
                                        {"code"})) {
  registry.gauge("passgate_process_start_time_seconds", "Unix time at which passgated started.")
      .set({}, static_cast<double>(unix_millis(clock.wall_now())) / 1000);
  registry.gauge("passgate_build_info", "Always 1; the version label says which passgated this is.", {"version"})
      .set({std::string(build_version())}, 1);
  registry.add_collector([this] { collect(); });
}

void ProcessMetrics::collect() {
  const db::FailedOperations failed = db::failed_operations();
  database_errors_.set({"disk_full"}, static_cast<double>(failed.disk_full));
  database_errors_.set({"db_busy"}, static_cast<double>(failed.db_busy));
  database_errors_.set({"db_error"}, static_cast<double>(failed.db_error));
}

}  // namespace passgate::controller
