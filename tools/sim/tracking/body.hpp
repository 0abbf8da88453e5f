// Request bodies for the tracking simulator: parse_body_object() turns the text into a JSON
// object, and BodyFields reads its members, collecting every problem (missing member,
// wrong type, bad format) so one 400 answer can name them all:
// "lane: expected an integer from 1 to 99; at: missing".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::sim {

// The body as a JSON object (duplicate member names refused), or an Error "bad_request"
// saying why it is not one.
[[nodiscard]] Result<nlohmann::json> parse_body_object(const std::string& text);

// "a; b; c"
[[nodiscard]] std::string join_problems(const std::vector<std::string>& problems);

// Each reader returns a default value when its member is bad; check ok() before using them.
class BodyFields {
 public:
  explicit BodyFields(const nlohmann::json& body) : body_(body) {}

  std::string text(const char* name);  // a non-empty string
  std::int64_t integer(const char* name, std::int64_t min, std::int64_t max);
  std::string uuid(const char* name);  // canonical 8-4-4-4-12 hex
  std::optional<std::string> nullable_uuid(const char* name);  // present: a UUID or null
  std::string timestamp(const char* name);  // RFC 3339 UTC with milliseconds
  std::string one_of(const char* name, std::initializer_list<const char*> allowed);

  [[nodiscard]] bool ok() const { return problems_.empty(); }
  [[nodiscard]] std::string problems() const { return join_problems(problems_); }

 private:
  const nlohmann::json* member(const char* name);  // null (and a problem) when missing
  void problem(const char* name, const std::string& what);

  const nlohmann::json& body_;
  std::vector<std::string> problems_;
};

}  // namespace passgate::sim
