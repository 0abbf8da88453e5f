#include "drivers/control_request_parser.hpp"

#include <string>

namespace passgate::drivers {

using json = nlohmann::json;

Result<json> parse_control_request(std::string_view line) {
  json request = json::parse(line, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return make_error("malformed", "a request is one JSON object per line");
  }
  const auto cmd = request.find("cmd");
  if (cmd == request.end() || !cmd->is_string()) return make_error("malformed", "a request needs a string \"cmd\"");
  return request;
}

namespace {

// What the request gave, for the refusal: a short JSON rendering.
std::string given_text(const json& value) {
  constexpr std::size_t kMaxShown = 40;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text;
}

}  // namespace

Result<std::int64_t> integer_argument(const json& request, const char* key, IntegerRange range,
                                      std::optional<std::int64_t> fallback) {
  const auto it = request.find(key);
  const std::string expected = std::string(key) + " must be a whole number from " + std::to_string(range.min) +
                               " to " + std::to_string(range.max);
  if (it == request.end()) {
    if (fallback) return *fallback;
    return make_error("invalid_argument", expected + "; the request has none");
  }
  // Only a JSON integer: a float (1.9, 1e10), a string, a boolean or a number beyond the
  // range is refused, never rounded, wrapped or cut down to some other value.
  std::optional<std::int64_t> value;
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) value = static_cast<std::int64_t>(u);
  } else if (it->is_number_integer()) {
    value = it->get<std::int64_t>();
  }
  if (!value || *value < range.min || *value > range.max) {
    return make_error("invalid_argument", expected + " (got " + given_text(*it) + ")");
  }
  return *value;
}

}  // namespace passgate::drivers
