// Small helpers shared by GatewayServer's source files (server.cpp, server_readers.cpp):
// the control port's error answer and a target's path. Not for other callers.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/sim/tracking/http_listener.hpp"

namespace passgate::sim {

inline constexpr std::int64_t kMaxFaultDelayMs = 600'000;  // the longest delay a fault may ask for

// {"error":code,"message":message} with `status`.
[[nodiscard]] inline HttpAnswer control_error(int status, const std::string& code, const std::string& message) {
  return make_answer(status, nlohmann::json{{"error", code}, {"message", message}}.dump());
}

// The target without its query.
[[nodiscard]] inline std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace passgate::sim
