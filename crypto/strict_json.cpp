#include "crypto/strict_json.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/log_text.hpp"

namespace passgate::crypto {
namespace {

using nlohmann::json;

// Thrown from the parser callback to stop at the first duplicate.
struct DuplicateMember {
  std::string name;
};

std::string position_of(std::string_view text, std::size_t byte) {
  // nlohmann counts bytes from 1 and points at the last byte it read.
  const std::size_t end = std::min(byte, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i + 1 < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(end - line_start) +
         " (byte " + std::to_string(byte) + ")";
}

}  // namespace

Result<json> parse_strict_json(std::string_view text) {
  if (text.empty()) return make_error("invalid_json", "empty input");
  // Member names seen so far in each object that is still open, innermost last.
  std::vector<std::vector<std::string>> open_objects;
  const json::parser_callback_t reject_duplicates =
      [&open_objects](int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
          case json::parse_event_t::object_start:
            open_objects.emplace_back();
            break;
          case json::parse_event_t::object_end:
            open_objects.pop_back();
            break;
          case json::parse_event_t::key: {
            auto& names = open_objects.back();
            auto& name = parsed.get_ref<std::string&>();
            if (std::find(names.begin(), names.end(), name) != names.end()) {
              throw DuplicateMember{std::move(name)};
            }
            names.push_back(name);
            break;
          }
          default:
            break;
        }
        return true;
      };
  try {
    return json::parse(text.begin(), text.end(), reject_duplicates);
  } catch (const json::parse_error& e) {
    if (e.byte > text.size()) {
      return make_error("invalid_json",
                        "unexpected end of input after byte " + std::to_string(text.size()));
    }
    return make_error("invalid_json", "syntax error at " + position_of(text, e.byte));
  } catch (const json::out_of_range&) {
    // A number too large for a double (e.g. 1e999).
    return make_error("invalid_json", "a number is out of range");
  } catch (const json::exception&) {
    return make_error("invalid_json", "not valid JSON");
  } catch (const DuplicateMember& duplicate) {
    return make_error("duplicate_member",
                      "duplicate member name " + quote_for_log(duplicate.name) +
                          ": each name may appear only once per object");
  }
}

}  // namespace passgate::crypto
