// Small statistics and output for the benchmark programs (never used by tests): percentiles
// of latency samples, and the JSON every program writes for tools/bench/run.py.
#pragma once

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace passgate::bench {

// The p-th percentile (0-100) of sorted samples, nearest rank.
inline double percentile_of_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Latency samples in microseconds, summarized: {"count", "p50_us", "p90_us", "p99_us", "max_us", "mean_us"}.
inline nlohmann::json latency_summary(std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  const double sum = std::accumulate(micros.begin(), micros.end(), 0.0);
  return {{"count", micros.size()},
          {"p50_us", percentile_of_sorted(micros, 50)},
          {"p90_us", percentile_of_sorted(micros, 90)},
          {"p99_us", percentile_of_sorted(micros, 99)},
          {"max_us", micros.empty() ? 0.0 : micros.back()},
          {"mean_us", micros.empty() ? 0.0 : sum / static_cast<double>(micros.size())}};
}

// "p50 812 µs, p99 1904 µs, max 5120 µs over 5000" from a latency_summary().
inline std::string describe_latency(const nlohmann::json& s) {
  const auto us = [&s](const char* key) { return std::to_string(static_cast<long long>(s[key].get<double>())); };
  return "p50 " + us("p50_us") + " us, p99 " + us("p99_us") + " us, max " + us("max_us") + " us over " +
         std::to_string(s["count"].get<std::size_t>());
}

// Writes `figures` to `file` (pretty JSON); nothing when `file` is empty.
inline void write_json(const std::string& file, const nlohmann::json& figures) {
  if (file.empty()) return;
  std::ofstream out(file);
  out << figures.dump(2) << '\n';
  if (!out) throw std::runtime_error("cannot write " + file);
}

}  // namespace passgate::bench
