#include "tools/sim/gateway/params.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace passgate::sim {
namespace {

std::string joined(std::initializer_list<const char*> allowed) {
  std::string text;
  for (const char* value : allowed) text += (text.empty() ? "" : ", ") + std::string(value);
  return text;
}

}  // namespace

const std::string* GatewayParams::find(const std::string& name, bool required) {
  read_.insert(name);
  const auto it =
      std::find_if(fields_.begin(), fields_.end(), [&name](const auto& field) { return field.first == name; });
  if (it != fields_.end()) return &it->second;
  if (required) problem(name, "parameter_missing", name + ": missing");
  return nullptr;
}

void GatewayParams::problem(const std::string& param, const std::string& code, const std::string& message) {
  problems_.push_back(GatewayParamProblem{param, code, message});
}

std::string GatewayParams::text(const std::string& name) {
  if (find(name, true) == nullptr) return {};
  return optional_text(name).value_or("");
}

std::optional<std::string> GatewayParams::optional_text(const std::string& name) {
  const std::string* value = find(name, false);
  if (value == nullptr) return std::nullopt;
  if (value->empty()) {
    problem(name, "parameter_invalid", name + ": expected a non-empty value");
    return std::nullopt;
  }
  return *value;
}

std::optional<std::int64_t> GatewayParams::integer(const std::string& name, std::int64_t max, bool required) {
  const std::string* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  std::int64_t number = 0;
  const char* end = value->data() + value->size();
  const auto parsed = std::from_chars(value->data(), end, number);
  const bool digits_only = !value->empty() && value->front() != '-' && value->front() != '0';
  if (!digits_only || parsed.ec != std::errc() || parsed.ptr != end || number < 1 || number > max) {
    problem(name, "parameter_invalid_integer",
            name + ": expected a positive integer in minor units, 1 to " + std::to_string(max) + ", got \"" + *value +
                "\"");
    return std::nullopt;
  }
  return number;
}

std::int64_t GatewayParams::positive_integer(const std::string& name, std::int64_t max) {
  return integer(name, max, true).value_or(0);
}

std::optional<std::int64_t> GatewayParams::optional_positive_integer(const std::string& name, std::int64_t max) {
  return integer(name, max, false);
}

std::string GatewayParams::currency(const std::string& name) {
  const std::string* value = find(name, true);
  if (value == nullptr) return {};
  const bool lower_letters =
      value->size() == 3 && std::all_of(value->begin(), value->end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!lower_letters) {
    problem(name, "parameter_invalid",
            name + ": expected an ISO 4217 code in three lower-case letters (e.g. usd), got \"" + *value + "\"");
    return {};
  }
  return *value;
}

std::optional<std::string> GatewayParams::choice(const std::string& name, std::initializer_list<const char*> allowed,
                                                 bool required) {
  const std::string* value = find(name, required);
  if (value == nullptr) return std::nullopt;
  if (std::none_of(allowed.begin(), allowed.end(), [value](const char* a) { return *value == a; })) {
    problem(
        name, "parameter_invalid",
        name + ": expected " + (allowed.size() == 1 ? "" : "one of ") + joined(allowed) + ", got \"" + *value + "\"");
    return std::nullopt;
  }
  return *value;
}

std::string GatewayParams::one_of(const std::string& name, std::initializer_list<const char*> allowed) {
  return choice(name, allowed, true).value_or("");
}

std::optional<std::string> GatewayParams::optional_one_of(const std::string& name,
                                                          std::initializer_list<const char*> allowed) {
  return choice(name, allowed, false);
}

void GatewayParams::finish() {
  std::map<std::string, int> seen;
  for (const auto& [name, value] : fields_) {
    if (++seen[name] == 2) problem(name, "parameter_duplicated", name + ": given more than once");
    if (seen[name] == 1 && !read_.contains(name)) {
      problem(name, "parameter_unknown", name + ": unknown parameter");
    }
  }
}

}  // namespace passgate::sim
