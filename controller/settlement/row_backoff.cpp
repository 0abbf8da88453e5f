#include "controller/settlement/row_backoff.hpp"

namespace passgate::controller {

Millis RowBackoff::failed(std::int64_t id, SteadyTime now, const RetryBackoff& backoff) {
  Held& held = held_[id];
  ++held.failures;
  const Millis wait = backoff.base(held.failures);
  held.retry_at = now + wait;
  return wait;
}

bool RowBackoff::waiting(std::int64_t id, SteadyTime now) const {
  const auto found = held_.find(id);
  return found != held_.end() && found->second.retry_at > now;
}

std::vector<std::int64_t> RowBackoff::due(SteadyTime now) const {
  std::vector<std::int64_t> ids;
  for (const auto& [id, held] : held_)
    if (held.retry_at <= now) ids.push_back(id);
  return ids;
}

std::vector<std::int64_t> RowBackoff::ids() const {
  std::vector<std::int64_t> all;
  all.reserve(held_.size());
  for (const auto& [id, held] : held_) all.push_back(id);
  return all;
}

std::optional<SteadyTime> RowBackoff::next() const {
  std::optional<SteadyTime> first;
  for (const auto& [id, held] : held_)
    if (!first || held.retry_at < *first) first = held.retry_at;
  return first;
}

}  // namespace passgate::controller
