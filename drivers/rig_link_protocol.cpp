#include "drivers/rig_link_protocol.hpp"

#include <nlohmann/json.hpp>

namespace passgate::drivers::rig {
namespace {

using nlohmann::json;

std::string dump_line(const nlohmann::ordered_json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// At most `max` bytes of `text`, "…" marking a cut.
std::string cut(std::string_view text, std::size_t max) {
  return text.size() <= max ? std::string(text) : std::string(text.substr(0, max)) + "…";
}

Error malformed(std::string message) { return make_error("malformed", std::move(message)); }

// The string member `key` of `object`, or why not.
Result<std::string> string_field(const json& object, const char* key, std::string_view type) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return malformed("\"" + std::string(type) + "\" message without \"" + key + "\" (a string is expected)");
  }
  if (!it->is_string()) {
    return malformed("\"" + std::string(key) + "\" must be a string, got " + it->type_name());
  }
  return it->get<std::string>();
}

Result<bool> level_field(const json& object) {
  const auto it = object.find("v");
  if (it == object.end()) return malformed("\"in\" message without \"v\" (0 or 1 is expected)");
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    if (v == 0 || v == 1) return v == 1;
  }
  return malformed("\"v\" must be 0 or 1 (or false/true), got " +
                   cut(it->dump(-1, ' ', false, json::error_handler_t::replace), 64));
}

Result<RigMessage> parse_input(const json& object) {
  auto line = string_field(object, "line", "in");
  if (!line) return line.error();
  auto level = level_field(object);
  if (!level) return level.error();
  return RigMessage{InputMessage{std::move(*line), *level}};
}

Result<RigMessage> parse_scan(const json& object) {
  auto scanner = string_field(object, "scanner", "scan");
  if (!scanner) return scanner.error();
  auto data = string_field(object, "data", "scan");
  if (!data) return data.error();
  return RigMessage{ScanMessage{std::move(*scanner), std::move(*data)}};
}

}  // namespace

Result<RigMessage> parse_rig_message(std::string_view line) {
  json message;
  try {
    message = json::parse(line);
  } catch (const json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...",
    // ending in "; last read: '<text>'" for a bad token. That text is the scan's data when
    // the line breaks inside it, and scans carry entry tokens: it is never repeated.
    std::string_view what = e.what();
    if (const auto detail = what.find("] "); detail != std::string_view::npos) what.remove_prefix(detail + 2);
    what = what.substr(0, what.find("; last read:"));
    return malformed("malformed JSON: " + cut(what, 200));
  } catch (const json::exception&) {
    // A number beyond what a double holds (1e999) is out_of_range, not a parse_error: still
    // the rig's mistake, never a reason to stop the gate. Its text is not repeated either.
    return malformed("malformed JSON: a number out of range");
  }
  if (!message.is_object()) {
    return malformed(std::string("a message must be a JSON object, got ") + message.type_name());
  }
  const auto t = message.find("t");
  if (t == message.end() || !t->is_string()) {
    return malformed("a message needs a string field \"t\" (\"in\" or \"scan\")");
  }
  const auto& type = t->get_ref<const std::string&>();
  if (type == "in") return parse_input(message);
  if (type == "scan") return parse_scan(message);
  return make_error("unknown_type", "unknown message type " + quoted_excerpt(type) + " (the rig sends \"in\" or \"scan\")");
}

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Result<std::optional<RigMessage>> parse_rig_line(std::string_view line) {
  if (line.size() > kMaxLineBytes) return make_error("too_long", line_too_long_message());
  if (is_blank_line(line)) return std::optional<RigMessage>();
  auto message = parse_rig_message(line);
  if (!message) return message.error();
  return std::optional<RigMessage>(std::move(*message));
}

std::string line_too_long_message() {
  return "line longer than " + std::to_string(kMaxLineBytes) + " bytes ignored (one JSON message per line)";
}

std::string encode_output(std::string_view line, bool active) {
  return dump_line({{"t", "out"}, {"line", line}, {"v", active ? 1 : 0}});
}

std::string encode_display(int lane, std::string_view text) {
  return dump_line({{"t", "display"}, {"lane", lane}, {"text", text}});
}

std::string encode_error(std::string_view message) { return dump_line({{"t", "error"}, {"msg", message}}); }

std::string quoted_excerpt(std::string_view text) { return "\"" + cut(text, 64) + "\""; }

}  // namespace passgate::drivers::rig
