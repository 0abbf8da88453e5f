#include "hw/debouncer.hpp"

#include <utility>

namespace passgate::hw {

Debouncer::Debouncer(TimerService& timers, Millis stable_for, bool initial, Callback on_change, Edges edges)
    : timers_(timers),
      stable_for_(stable_for),
      edges_(edges),
      level_(initial),
      raw_(initial),
      on_change_(std::move(on_change)) {}

void Debouncer::feed(bool raw) {
  if (raw == raw_) return;
  raw_ = raw;
  if (raw_ == level_) {
    settle_.reset();  // bounced back before it settled: nothing happened
    return;
  }
  if (stable_for_ <= Millis::zero() || (raw_ && edges_ == Edges::raise_at_once)) {
    accept(raw_);
    return;
  }
  settle_ = timers_.start(stable_for_, [this] {
    settle_.reset();
    accept(raw_);
  });
}

void Debouncer::accept(bool level) {
  level_ = level;
  on_change_(level_);
}

}  // namespace passgate::hw
