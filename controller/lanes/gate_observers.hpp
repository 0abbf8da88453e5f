// GateObservers: everyone the Gate tells what happens (controller/lanes/gate_observer.hpp):
// observers added for as long as they live (metrics) and the one replaceable live view (the
// control socket's watch). Single-threaded, on the event loop.
#pragma once

#include <vector>

#include "controller/lanes/gate_observer.hpp"

namespace passgate::controller {

class GateObservers {
 public:
  // `observer` is told until remove() (it must outlive the gate otherwise).
  void add(GateObserver& observer) { added_.push_back(&observer); }
  void remove(GateObserver& observer) { std::erase(added_, &observer); }
  // The live view; null: none.
  void set_live(GateObserver* observer) { live_ = observer; }
  [[nodiscard]] bool empty() const { return added_.empty() && live_ == nullptr; }

  // Calls `tell(observer)` for each, the added ones first.
  template <class Tell>
  void each(Tell&& tell) const {
    for (GateObserver* observer : added_) tell(*observer);
    if (live_ != nullptr) tell(*live_);
  }

 private:
  std::vector<GateObserver*> added_;
  GateObserver* live_ = nullptr;
};

}  // namespace passgate::controller
