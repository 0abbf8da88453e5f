// ProcessMetrics: the process itself: when it started, which build it is, and every
// database operation that failed in it (counted by db/sqlite_error.hpp where SQLite failures
// become Errors), read at every scrape. The registry must not render after it is gone.
#pragma once

#include "common/clock.hpp"
#include "controller/metrics/registry.hpp"

namespace passgate::controller {

// The version passgated was built as (the CMake project version).
[[nodiscard]] std::string_view build_version();

class ProcessMetrics {
 public:
  ProcessMetrics(metrics::Registry& registry, Clock& clock);
  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

 private:
  void collect();

  metrics::Counter& database_errors_;
};

}  // namespace passgate::controller
