#include "controller/settlement/currency.hpp"

namespace passgate::controller {

std::map<std::string, MinorSum> by_currency_code(const std::map<std::string, MinorSum>& amounts) {
  std::map<std::string, MinorSum> out;
  for (const auto& [currency, sum] : amounts) out[currency_code(currency)].add(sum);
  return out;
}

}  // namespace passgate::controller
