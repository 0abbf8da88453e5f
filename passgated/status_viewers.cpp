#include "passgated/status_viewers.hpp"

#include <algorithm>

namespace passgate::daemon {

std::shared_ptr<StatusViewers::Slot> StatusViewers::reserve(std::string user) {
  (void)prune();
  if (taken() >= max_) return nullptr;
  auto slot = std::make_shared<Slot>(Slot{std::move(user), false});
  slots_.push_back(slot);
  return slot;
}

bool StatusViewers::add(std::shared_ptr<drivers::EventStream> stream, const Slot& slot) {
  if (slot.revoked) {
    stream->close();
    return false;
  }
  streams_.push_back(Viewer{std::move(stream), slot.user});
  return true;
}

std::size_t StatusViewers::taken() {
  std::erase_if(slots_, [](const auto& slot) { return slot.expired(); });
  return streams_.size() + slots_.size();
}

std::size_t StatusViewers::close_users(const std::vector<std::string>& users) {
  const auto gone = [&users](const std::string& user) {
    return std::find(users.begin(), users.end(), user) != users.end();
  };
  for (const auto& weak : slots_) {
    if (const auto slot = weak.lock(); slot && gone(slot->user)) slot->revoked = true;
  }
  std::size_t closed = 0;
  for (const auto& viewer : streams_) {
    if (viewer.stream->open() && gone(viewer.user)) {
      viewer.stream->close();
      ++closed;
    }
  }
  (void)prune();
  return closed;
}

std::size_t StatusViewers::prune() {
  std::erase_if(streams_, [](const auto& viewer) { return !viewer.stream->open(); });
  return streams_.size();
}

void StatusViewers::send(const std::string& event) {
  for (const auto& viewer : streams_) (void)viewer.stream->send(event);
}

}  // namespace passgate::daemon
