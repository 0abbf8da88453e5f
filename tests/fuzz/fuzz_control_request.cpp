// libFuzzer target: arbitrary bytes as one control-socket line through parse_control_request,
// then every integer field the daemon reads (id, lane, limit, ms) through integer_argument,
// as drivers/control_server.cpp and passgated/control_*.cpp do. Besides crashes and
// sanitizer reports (a float beyond the integer's range was undefined behaviour), it aborts
// when a promise breaks: a parsed request is an object with a string "cmd"; a refusal has a
// message; an integer taken is a JSON integer equal to what was sent and within its range.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/control_request_parser.hpp"

namespace {

using passgate::drivers::IntegerRange;

void check_integer(const nlohmann::json& request, const char* key, IntegerRange range) {
  const auto value = passgate::drivers::integer_argument(request, key, range);
  if (!value) {
    if (value.error().message.find(key) == std::string::npos) __builtin_trap();
    return;
  }
  const auto& given = request.at(key);
  if (!given.is_number_integer() || *value < range.min || *value > range.max) __builtin_trap();
  if (given.is_number_unsigned() ? given.get<std::uint64_t>() != static_cast<std::uint64_t>(*value)
                                 : given.get<std::int64_t>() != *value) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto request = passgate::drivers::parse_control_request(line);
  if (!request) {
    if (request.error().message.empty() || request.error().code != "malformed") __builtin_trap();
    return 0;
  }
  if (!request->is_object() || !request->at("cmd").is_string()) __builtin_trap();
  check_integer(*request, "id", passgate::drivers::kIdRange);
  check_integer(*request, "lane", passgate::drivers::kLaneRange);
  check_integer(*request, "limit", passgate::drivers::kCountRange);
  check_integer(*request, "ms", IntegerRange{1, 10000});
  return 0;
}
