#include "controller/settlement/session_leave_out.hpp"

namespace passgate::controller {

void SessionLeaveOut::begin_run() {
  const SteadyTime now = clock_.steady_now();
  std::erase_if(until_, [now](const auto& left) { return left.second <= now; });
  added_ = false;
}

void SessionLeaveOut::failed(const std::string& session_id) {
  until_[session_id] = clock_.steady_now() + wait_;
  added_ = true;
}

}  // namespace passgate::controller
