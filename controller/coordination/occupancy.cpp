#include "controller/coordination/occupancy.hpp"


#include <nlohmann/json.hpp>

namespace passgate::coordination {
namespace {

// Totals far beyond any store's lifetime of passages: summing them never overflows.
constexpr std::int64_t kMaxTotal = std::int64_t{1} << 40;

std::optional<std::int64_t> total(const nlohmann::json& doc, const char* name) {
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_number_integer()) return std::nullopt;
  const auto value = it->get<std::int64_t>();
  if (value < 0 || value > kMaxTotal) return std::nullopt;
  return value;
}

}  // namespace

std::string totals_value(const PassageTotals& totals) {
  return nlohmann::json{{"entered", totals.entered}, {"exited", totals.exited}}.dump();
}

std::optional<PassageTotals> read_totals(std::string_view value) {
  const auto doc = nlohmann::json::parse(value, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.size() != 2) return std::nullopt;
  const auto entered = total(doc, "entered");
  const auto exited = total(doc, "exited");
  if (!entered || !exited) return std::nullopt;
  return PassageTotals{*entered, *exited};
}

Occupancy sum_occupancy(const std::vector<StoreKeyValue>& keys) {
  Occupancy sum;
  for (const auto& kv : keys) {
    const auto totals = read_totals(kv.value);
    if (!totals) {
      ++sum.unreadable;
      continue;
    }
    sum.entered += totals->entered;
    sum.exited += totals->exited;
    ++sum.arrays;
  }
  return sum;
}

}  // namespace passgate::coordination
