#include "tools/sim/rig/conditions.hpp"

#include <algorithm>
#include <utility>

namespace passgate::sim {

struct Conditions::Entry {
  std::function<bool()> holds;
  std::function<void(bool)> done;
  std::unique_ptr<Timer> timeout;
  bool active = true;

  // Ends the watch and runs its callback once; safe if the callback destroys the handle.
  // Dropping the timeout timer from inside its own callback is fine: timer services move
  // the callback out before running it.
  void finish(bool held) {
    if (!active) return;
    active = false;
    holds = nullptr;
    timeout.reset();
    auto call = std::move(done);
    done = nullptr;
    call(held);
  }
};

class Conditions::Handle final : public Watch {
 public:
  explicit Handle(std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
  ~Handle() override {
    entry_->active = false;
    entry_->holds = nullptr;
    entry_->done = nullptr;
    entry_->timeout.reset();
  }

 private:
  std::shared_ptr<Entry> entry_;
};

std::unique_ptr<Watch> Conditions::when(std::function<bool()> holds, std::function<void()> then) {
  auto entry = std::make_shared<Entry>();
  entry->holds = std::move(holds);
  entry->done = [then = std::move(then)](bool) { then(); };
  return add(std::move(entry));
}

std::unique_ptr<Watch> Conditions::within(TimerService& timers, Millis timeout,
                                          std::function<bool()> holds,
                                          std::function<void(bool held)> done) {
  auto entry = std::make_shared<Entry>();
  entry->holds = std::move(holds);
  entry->done = std::move(done);
  entry->timeout = timers.start(timeout, [weak = std::weak_ptr<Entry>(entry)] {
    if (auto e = weak.lock()) e->finish(false);
  });
  return add(std::move(entry));
}

std::unique_ptr<Watch> Conditions::add(std::shared_ptr<Entry> entry) {
  std::erase_if(entries_, [](const auto& e) { return !e->active; });
  entries_.push_back(entry);
  if (entry->holds()) {
    loop_.post([weak = std::weak_ptr<Entry>(entry)] {
      if (auto e = weak.lock()) e->finish(true);
    });
  }
  return std::make_unique<Handle>(std::move(entry));
}

void Conditions::notify() {
  const auto snapshot = entries_;
  for (const auto& e : snapshot) {
    if (e->active && e->holds()) e->finish(true);
  }
  std::erase_if(entries_, [](const auto& e) { return !e->active; });
}

}  // namespace passgate::sim
