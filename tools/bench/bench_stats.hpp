// Small statistics for the benchmark programs (never used by tests).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace passgate::bench {

// The p-th percentile (0-100) of `v`, nearest rank.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace passgate::bench
