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

void StatusViewers::add(std::shared_ptr<drivers::EventStream> stream) { streams_.push_back(std::move(stream)); }

std::size_t StatusViewers::prune() {
  std::erase_if(streams_, [](const auto& stream) { return !stream->open(); });
  return streams_.size();
}

void StatusViewers::send(const std::string& event) {
  for (const auto& stream : streams_) (void)stream->send(event);
}

}  // namespace passgate::daemon
