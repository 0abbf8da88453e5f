#include "controller/key_ring.hpp"

namespace passgate::controller {

Status KeyRing::reload() {
  auto loaded = crypto::KeySet::load(file_);
  if (!loaded.ok()) return loaded.error();
  current_ = std::move(loaded.value());
  return {};
}

}  // namespace passgate::controller
