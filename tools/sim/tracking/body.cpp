#include "tools/sim/tracking/body.hpp"

#include <cctype>
#include <string_view>

#include "crypto/strict_json.hpp"

namespace passgate::sim {
namespace {

// `pattern` uses 'd' for a decimal digit and 'h' for a hex digit; other chars must match.
bool matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool ok = pattern[i] == 'd'   ? std::isdigit(c) != 0
                    : pattern[i] == 'h' ? std::isxdigit(c) != 0
                                        : text[i] == pattern[i];
    if (!ok) return false;
  }
  return true;
}

constexpr std::string_view kUuidPattern = "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh";
constexpr std::string_view kTimestampPattern = "dddd-dd-ddTdd:dd:dd.dddZ";

}  // namespace

Result<nlohmann::json> parse_body_object(const std::string& text) {
  auto parsed = crypto::parse_strict_json(text);
  if (!parsed) return make_error("bad_request", "malformed JSON body: " + parsed.error().message);
  if (!parsed->is_object()) return make_error("bad_request", "the body must be a JSON object");
  return std::move(parsed.value());
}

std::string join_problems(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  return text;
}

const nlohmann::json* BodyFields::member(const char* name) {
  const auto it = body_.find(name);
  if (it == body_.end()) {
    problem(name, "missing");
    return nullptr;
  }
  return &*it;
}

void BodyFields::problem(const char* name, const std::string& what) { problems_.push_back(std::string(name) + ": " + what); }

std::string BodyFields::text(const char* name) {
  const auto* value = member(name);
  if (value == nullptr) return {};
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    problem(name, "expected a non-empty string");
    return {};
  }
  return value->get<std::string>();
}

std::int64_t BodyFields::integer(const char* name, std::int64_t min, std::int64_t max) {
  const auto* value = member(name);
  if (value == nullptr) return 0;
  // Unsigned values above INT64_MAX would wrap in get<std::int64_t>().
  const bool fits = value->is_number_integer() &&
                    (!value->is_number_unsigned() || value->get<std::uint64_t>() <= static_cast<std::uint64_t>(max));
  if (!fits || value->get<std::int64_t>() < min || value->get<std::int64_t>() > max) {
    problem(name, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return 0;
  }
  return value->get<std::int64_t>();
}

std::string BodyFields::uuid(const char* name) {
  const auto* value = member(name);
  if (value == nullptr) return {};
  if (!value->is_string() || !matches(value->get_ref<const std::string&>(), kUuidPattern)) {
    problem(name, "expected a UUID string like \"0d5c1f0e-3b1a-4c2e-9a41-7d2f0c9e5b13\"");
    return {};
  }
  return value->get<std::string>();
}

std::optional<std::string> BodyFields::nullable_uuid(const char* name) {
  const auto* value = member(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return uuid(name);
}

std::string BodyFields::timestamp(const char* name) {
  const auto* value = member(name);
  if (value == nullptr) return {};
  if (!value->is_string() || !matches(value->get_ref<const std::string&>(), kTimestampPattern)) {
    problem(name, "expected an RFC 3339 UTC time with milliseconds like \"2026-11-21T18:04:05.123Z\"");
    return {};
  }
  return value->get<std::string>();
}

std::string BodyFields::one_of(const char* name, std::initializer_list<const char*> allowed) {
  const auto* value = member(name);
  if (value == nullptr) return {};
  if (value->is_string()) {
    for (const char* candidate : allowed) {
      if (value->get_ref<const std::string&>() == candidate) return candidate;
    }
  }
  std::string list;
  for (const char* candidate : allowed) list += (list.empty() ? "\"" : ", \"") + std::string(candidate) + "\"";
  problem(name, "expected one of " + list);
  return {};
}

}  // namespace passgate::sim
