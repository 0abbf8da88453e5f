// Test doubles for the rig simulator: RecordingWires remembers every input level and scan the
// rig sends, stamped with virtual time, so tests can check beam sequences and their timing.
#pragma once

#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "tools/sim/rig/wires.hpp"

namespace passgate::sim::test {

struct LineChange {
  long long at_ms;  // since the recorder was made
  std::string line;
  bool active;
  bool operator==(const LineChange&) const = default;
};

class RecordingWires : public RigWires {
 public:
  explicit RecordingWires(const VirtualTime& time) : time_(time), start_(time.steady_now()) {}

  void set_input(const std::string& line, bool active) override { changes.push_back({now_ms(), line, active}); }
  void scan(const std::string& scanner, const std::string& text) override { scans.push_back({scanner, text}); }

  [[nodiscard]] long long now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time_.steady_now() - start_).count();
  }
  // "lane1.beam_outer=1 lane1.beam_inner=1 ...": the order of changes without their times.
  [[nodiscard]] std::string sequence() const {
    std::string s;
    for (const auto& c : changes) s += (s.empty() ? "" : " ") + c.line + "=" + (c.active ? "1" : "0");
    return s;
  }

  std::vector<LineChange> changes;
  std::vector<std::pair<std::string, std::string>> scans;

 private:
  const VirtualTime& time_;
  SteadyTime start_;
};

}  // namespace passgate::sim::test
