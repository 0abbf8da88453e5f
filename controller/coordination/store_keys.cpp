#include "controller/coordination/store_keys.hpp"

#include <nlohmann/json.hpp>

#include "common/log_excerpt.hpp"

namespace passgate::coordination {

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdBytes) return false;
  for (const char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

std::string holder_value(const Holder& holder) {
  nlohmann::json value{{"gate", holder.gate}, {"session", holder.session}};
  if (!holder.instance.empty()) value["instance"] = holder.instance;
  return value.dump();
}

std::optional<Holder> read_holder(std::string_view value) {
  const auto doc = nlohmann::json::parse(value, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  const auto gate = doc.find("gate");
  const auto session = doc.find("session");
  if (gate == doc.end() || session == doc.end() || !gate->is_string() || !session->is_string()) return std::nullopt;
  Holder holder{gate->get<std::string>(), session->get<std::string>(), {}};
  if (!valid_key_id(holder.gate) || !valid_key_id(holder.session)) return std::nullopt;
  if (const auto instance = doc.find("instance"); instance != doc.end()) {
    if (!instance->is_string() || !valid_key_id(instance->get<std::string>())) return std::nullopt;
    holder.instance = instance->get<std::string>();
  }
  return holder;
}

std::string describe_holder(std::string_view value) {
  if (const auto holder = read_holder(value)) {
    return "gate " + holder->gate + " session " + holder->session;
  }
  return "an unknown value " + log_excerpt(value, 80);
}

}  // namespace passgate::coordination
