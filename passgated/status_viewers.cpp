#include "passgated/status_viewers.hpp"

#include <algorithm>

namespace passgate::daemon {

std::shared_ptr<void> StatusViewers::reserve() {
  (void)prune();
  if (taken() >= max_) return nullptr;
  ++*reserved_;
  // The token: gives its slot back when the last copy goes.
  return std::shared_ptr<void>(reserved_.get(), [reserved = reserved_](std::size_t*) { --*reserved; });
}

void StatusViewers::add(std::shared_ptr<drivers::EventStream> stream, std::string user) {
  streams_.push_back(Viewer{std::move(stream), std::move(user)});
}

std::size_t StatusViewers::close_users(const std::vector<std::string>& users) {
  std::size_t closed = 0;
  for (const auto& viewer : streams_) {
    if (viewer.stream->open() && std::find(users.begin(), users.end(), viewer.user) != users.end()) {
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
