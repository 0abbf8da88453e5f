#include "tools/sim/gateway/intent.hpp"

#include <chrono>
#include <utility>

#include "common/ids.hpp"

namespace passgate::sim {

const char* to_string(GatewayIntentStatus status) {
  switch (status) {
    case GatewayIntentStatus::requires_confirmation: return "requires_confirmation";
    case GatewayIntentStatus::requires_capture: return "requires_capture";
    case GatewayIntentStatus::succeeded: return "succeeded";
    case GatewayIntentStatus::canceled: return "canceled";
    case GatewayIntentStatus::requires_payment_method: break;
  }
  return "requires_payment_method";
}

std::string new_object_id(const char* prefix) {
  std::string id = prefix;
  for (const char c : new_uuid_v4()) {
    if (c != '-') id.push_back(c);
  }
  return id;
}

std::int64_t now_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

GatewayIntent& IntentStore::add(GatewayIntent intent) {
  intent.id = new_object_id("pi_");
  intent.created = now();
  index_.emplace(intent.id, intents_.size());
  return intents_.emplace_back(std::move(intent));
}

const GatewayIntent* IntentStore::find(const std::string& id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? nullptr : &intents_[it->second];
}

GatewayIntent* IntentStore::find(const std::string& id) {
  return const_cast<GatewayIntent*>(std::as_const(*this).find(id));
}

}  // namespace passgate::sim
