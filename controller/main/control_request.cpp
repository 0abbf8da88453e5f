#include "controller/main/control_request.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace passgate::daemon {

using json = nlohmann::json;

json refused(std::string code, std::string message) {
  return drivers::control_error(make_error(std::move(code), std::move(message)));
}

std::string operator_of(const json& request, const drivers::ControlPeer& peer) {
  constexpr std::size_t kMaxLength = 100;
  std::string name;
  const auto given = request.find("operator");
  if (given != request.end() && given->is_string()) {
    for (const char c : given->get<std::string>()) {
      if (name.size() == kMaxLength) break;
      name += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    }
  }
  if (name.find_first_not_of(' ') == std::string::npos) return "uid " + std::to_string(peer.uid());
  return name;
}

namespace {
constexpr std::int64_t kMaxCount = std::numeric_limits<int>::max();
}  // namespace

Result<int> count_argument(const json& request, const char* key, int fallback) {
  const auto it = request.find(key);
  if (it == request.end()) return fallback;
  // A float, a string or a number beyond int is refused, never cut down to some other count.
  const bool in_range = it->is_number_unsigned()  ? it->get<std::uint64_t>() <= kMaxCount
                        : it->is_number_integer() ? it->get<std::int64_t>() >= 0 && it->get<std::int64_t>() <= kMaxCount
                                                  : false;
  if (!in_range) return make_error("invalid_argument", std::string(key) + " must be a whole number from 0 to " +
                                                           std::to_string(kMaxCount));
  return it->get<int>();
}

std::int64_t age_seconds(std::int64_t since_ms, std::int64_t now_ms) {
  return std::max<std::int64_t>(now_ms - since_ms, 0) / 1000;
}

}  // namespace passgate::daemon
