// GateView: what the rig knows about the gate: the last level the gate reported for each
// output line, how often each line rose, and the texts the gate displayed per lane. Fed by
// RigConnection (or by a fake gate in tests); every change calls Conditions::notify() so
// pending waits re-check. Single-threaded.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/sim/rig/conditions.hpp"

namespace passgate::sim {

class GateView {
 public:
  explicit GateView(Conditions& conditions) : conditions_(conditions) {}

  // The gate reported an output level.
  void on_output(const std::string& line, bool active);
  // The gate showed `text` on a lane's display.
  void on_display(int lane, const std::string& text);

  // Last reported level; empty if the gate has not reported this line.
  [[nodiscard]] std::optional<bool> output(const std::string& line) const;
  // Last reported level; false if never reported.
  [[nodiscard]] bool active(const std::string& line) const { return output(line).value_or(false); }
  // How many times the line went from inactive (or unreported) to active.
  [[nodiscard]] int rises(const std::string& line) const;
  // Texts displayed on a lane, oldest first.
  [[nodiscard]] const std::vector<std::string>& displays(int lane) const;
  // Lanes the gate reported at least one output line for.
  [[nodiscard]] std::set<int> lanes() const;

  [[nodiscard]] Conditions& conditions() { return conditions_; }

 private:
  struct Level {
    bool active = false;
    int rises = 0;
  };
  Conditions& conditions_;
  std::map<std::string, Level> outputs_;
  std::map<int, std::vector<std::string>> displays_;
};

}  // namespace passgate::sim
