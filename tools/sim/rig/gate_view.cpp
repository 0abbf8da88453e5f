#include "tools/sim/rig/gate_view.hpp"

#include "hw/line_names.hpp"

namespace passgate::sim {

void GateView::on_output(const std::string& line, bool active) {
  auto [it, inserted] = outputs_.try_emplace(line);
  if (active && (inserted || !it->second.active)) ++it->second.rises;
  it->second.active = active;
  conditions_.notify();
}

void GateView::on_display(int lane, const std::string& text) {
  displays_[lane].push_back(text);
  conditions_.notify();
}

std::optional<bool> GateView::output(const std::string& line) const {
  const auto it = outputs_.find(line);
  if (it == outputs_.end()) return std::nullopt;
  return it->second.active;
}

int GateView::rises(const std::string& line) const {
  const auto it = outputs_.find(line);
  return it == outputs_.end() ? 0 : it->second.rises;
}

const std::vector<std::string>& GateView::displays(int lane) const {
  static const std::vector<std::string> kNone;
  const auto it = displays_.find(lane);
  return it == displays_.end() ? kNone : it->second;
}

std::set<int> GateView::lanes() const {
  std::set<int> lanes;
  for (const auto& [line, level] : outputs_) {
    if (const auto parsed = hw::parse_line_name(line); parsed && parsed->lane > 0) lanes.insert(parsed->lane);
  }
  return lanes;
}

}  // namespace passgate::sim
