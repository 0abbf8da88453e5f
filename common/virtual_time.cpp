#include "common/virtual_time.hpp"

#include <algorithm>

namespace passgate {

class VirtualTimer final : public Timer {
 public:
  VirtualTimer(VirtualTime& vt, VirtualTime::Key key) : vt_(vt), key_(key) {}
  ~VirtualTimer() override { vt_.queue_.erase(key_); }

 private:
  VirtualTime& vt_;
  VirtualTime::Key key_;
};

VirtualTime::VirtualTime()
    : steady_start_(SteadyTime{} + std::chrono::hours(1)),
      steady_(steady_start_),
      wall_start_(WallTime{} + std::chrono::seconds(1795000000)) {}

std::unique_ptr<Timer> VirtualTime::start(Millis delay, std::function<void()> fn) {
  Key key{steady_ + delay, next_seq_++};
  queue_.emplace(key, std::move(fn));
  return std::make_unique<VirtualTimer>(*this, key);
}

void VirtualTime::post(std::function<void()> fn) { queue_.emplace(Key{steady_, next_seq_++}, std::move(fn)); }

void VirtualTime::advance(Millis d) {
  const SteadyTime end = steady_ + d;
  // A handler may elapse() past `end`: then what came due by its new now runs too.
  while (run_next(std::max(Millis{0}, std::chrono::duration_cast<Millis>(end - steady_)))) {
  }
  steady_ = std::max(steady_, end);
}

void VirtualTime::run_ready() { advance(Millis{0}); }

bool VirtualTime::run_next(Millis within) {
  if (queue_.empty() || queue_.begin()->first.first > steady_ + within) return false;
  auto it = queue_.begin();
  steady_ = std::max(steady_, it->first.first);
  auto fn = std::move(it->second);
  queue_.erase(it);
  fn();
  return true;
}

void VirtualTime::set_wall(WallTime t) { wall_start_ = t - (steady_ - steady_start_); }

}  // namespace passgate
