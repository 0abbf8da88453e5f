#include "controller/admission/offline_window.hpp"

#include <algorithm>

namespace passgate::controller {

void OfflineAdmissionWindow::record(SteadyTime at, int limit) {
  times_.push_back(at);
  const auto keep = static_cast<std::size_t>(std::max(limit, 0));
  while (times_.size() > keep) times_.pop_front();
}

int OfflineAdmissionWindow::count_within_hour(SteadyTime now) const {
  const SteadyTime since = now - kWindow;
  return static_cast<int>(std::count_if(times_.begin(), times_.end(), [&](SteadyTime t) { return t >= since; }));
}

}  // namespace passgate::controller
