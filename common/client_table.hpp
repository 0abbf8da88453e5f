// ClientTable: per-client state (a rate limit, failed logins) for at most `max` clients, keyed
// by ClientKeys (common/client_keys.hpp). A client new to a full table takes the place of the
// least recently seen idle one (its limit whole again, nothing to remember), else of the least
// recently seen: the table stays bounded and nobody is refused for want of room. Finding that
// place is a walk of the table, only when it is full. Single-threaded.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "common/clock.hpp"

namespace passgate {

template <class Entry>
class ClientTable {
 public:
  explicit ClientTable(std::size_t max) : max_(max) {}

  // The entry of `key`, seen now; made by make() when new. `idle(entry, now)`: whether it may
  // go without losing anything.
  template <class Make, class Idle>
  Entry& at(const std::string& key, SteadyTime now, Make make, Idle idle) {
    if (auto found = slots_.find(key); found != slots_.end()) {
      found->second.seen = now;
      return found->second.entry;
    }
    if (slots_.size() >= max_ && !slots_.empty()) {
      auto oldest = slots_.end();
      auto oldest_idle = slots_.end();
      for (auto it = slots_.begin(); it != slots_.end(); ++it) {
        if (oldest == slots_.end() || it->second.seen < oldest->second.seen) oldest = it;
        if (idle(it->second.entry, now) &&
            (oldest_idle == slots_.end() || it->second.seen < oldest_idle->second.seen)) {
          oldest_idle = it;
        }
      }
      slots_.erase(oldest_idle != slots_.end() ? oldest_idle : oldest);
    }
    return slots_.emplace(key, Slot{make(), now}).first->second.entry;
  }

  // The entry of `key`, if there is one (not counted as seen).
  [[nodiscard]] Entry* find(const std::string& key) {
    const auto found = slots_.find(key);
    return found == slots_.end() ? nullptr : &found->second.entry;
  }

  // Calls f(key, entry) for each entry.
  template <class F>
  void for_each(F f) const {
    for (const auto& [key, slot] : slots_) f(key, slot.entry);
  }

  // Removes the entries for which pred(key, entry) holds.
  template <class Pred>
  void erase_if(Pred pred) {
    std::erase_if(slots_, [&pred](const auto& item) { return pred(item.first, item.second.entry); });
  }

  [[nodiscard]] std::size_t size() const { return slots_.size(); }

 private:
  struct Slot {
    Entry entry;
    SteadyTime seen;
  };
  std::size_t max_;
  std::map<std::string, Slot, std::less<>> slots_;
};

}  // namespace passgate
