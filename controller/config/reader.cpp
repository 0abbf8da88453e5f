#include "controller/config/reader.hpp"

#include <algorithm>
#include <cstdio>

#include "controller/config/suggest.hpp"

namespace passgate::controller {

void ProblemList::add(int line, int column, std::string message) {
  problems_.push_back(ConfigProblem{file_, line, column, std::move(message)});
}

void ProblemList::add(const toml::source_region& where, std::string message) {
  add(static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(message));
}

std::vector<ConfigProblem> ProblemList::in_file_order() const {
  auto sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return sorted;
}

std::string describe_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string key_spelling(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : in_quotes(key);
}

TableReader::TableReader(const toml::table& table, std::string name, std::string heading, ProblemList& problems)
    : table_(table), name_(std::move(name)), heading_(std::move(heading)), problems_(problems) {}

std::string TableReader::name_of(std::string_view key) const {
  return name_.empty() ? key_spelling(key) : name_ + "." + key_spelling(key);
}

void TableReader::problem_here(std::string message) {
  const auto& where = table_.source();
  if (name_.empty() || where.begin.line == 0) {
    problems_.add(1, 1, std::move(message));
  } else {
    problems_.add(where, std::move(message));
  }
}

void TableReader::problem_at_node(const toml::node& n, std::string message) {
  problems_.add(n.source(), std::move(message));
}

void TableReader::problem_at(std::string_view key, std::string message) {
  if (const toml::node* n = table_.get(key)) {
    problems_.add(n->source(), std::move(message));
  } else {
    problem_here(std::move(message));
  }
}

void TableReader::problem_at_key(std::string_view key, std::string message) {
  const auto it = table_.find(key);
  if (it == table_.end()) {
    problem_here(std::move(message));
  } else {
    problems_.add(it->first.source(), std::move(message));
  }
}

const toml::node* TableReader::node(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  return table_.get(key);
}

const toml::node* TableReader::present(std::string_view key, Presence presence, std::string_view expected) {
  const toml::node* n = node(key);
  if (n == nullptr && presence == Presence::required) {
    problem_here(name_of(key) + " is missing, expected " + std::string(expected));
  }
  return n;
}

void TableReader::wrong_type(std::string_view key, const toml::node& n, std::string_view expected) {
  problems_.add(n.source(), name_of(key) + " is " + describe_type(n) + ", expected " + std::string(expected));
}

std::optional<std::string> TableReader::text(std::string_view key, Presence presence, Empty empty) {
  constexpr std::string_view expected = "a string";
  const toml::node* n = present(key, presence, expected);
  if (n == nullptr) return std::nullopt;
  const auto* s = n->as_string();
  if (s == nullptr) {
    wrong_type(key, *n, expected);
    return std::nullopt;
  }
  if (s->get().empty() && empty == Empty::rejected) {
    problems_.add(n->source(), name_of(key) + " is empty, expected a non-empty string");
    return std::nullopt;
  }
  return s->get();
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, IntRange range, Presence presence) {
  const std::string expected =
      "an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
  const toml::node* n = present(key, presence, expected);
  if (n == nullptr) return std::nullopt;
  const auto* i = n->as_integer();
  if (i == nullptr) {
    wrong_type(key, *n, expected);
    return std::nullopt;
  }
  const std::int64_t value = i->get();
  if (value < range.min || value > range.max) {
    problems_.add(n->source(), name_of(key) + " is " + std::to_string(value) + ", expected " + expected);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  constexpr std::string_view expected = "true or false";
  const toml::node* n = present(key, Presence::optional, expected);
  if (n == nullptr) return std::nullopt;
  const auto* b = n->as_boolean();
  if (b == nullptr) {
    wrong_type(key, *n, expected);
    return std::nullopt;
  }
  return b->get();
}

std::optional<std::size_t> TableReader::choice_index(std::string_view key, const std::vector<std::string_view>& names,
                                                     Presence presence) {
  std::string expected = names.size() == 2 ? "" : "one of ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) expected += names.size() == 2 ? " or " : ", ";
    expected += in_quotes(names[i]);
  }
  const toml::node* n = present(key, presence, expected);
  if (n == nullptr) return std::nullopt;
  const auto* s = n->as_string();
  if (s == nullptr) {
    wrong_type(key, *n, expected);
    return std::nullopt;
  }
  const auto it = std::find(names.begin(), names.end(), s->get());
  if (it == names.end()) {
    problems_.add(n->source(), name_of(key) + " is " + in_quotes(s->get()) + ", expected " + expected);
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - names.begin());
}

const toml::table* TableReader::table(std::string_view key, Presence presence, std::string_view expected) {
  const toml::node* n = present(key, presence, expected);
  if (n == nullptr) return nullptr;
  if (!n->is_table()) wrong_type(key, *n, expected);
  return n->as_table();
}

const toml::array* TableReader::array(std::string_view key, Presence presence, std::string_view expected) {
  const toml::node* n = present(key, presence, expected);
  if (n == nullptr) return nullptr;
  if (!n->is_array()) wrong_type(key, *n, expected);
  return n->as_array();
}

std::optional<TableReader> TableReader::section(std::string_view key, Presence presence, std::string_view expected) {
  const toml::table* t = table(key, presence, expected);
  if (t == nullptr) return std::nullopt;
  const std::string section_name = name_of(key);
  return TableReader(*t, section_name, "in [" + section_name + "]", problems_);
}

TableReader TableReader::nested(const toml::table& t, std::string name, std::string heading) const {
  return TableReader(t, std::move(name), std::move(heading), problems_);
}

void TableReader::report_unknown_keys() {
  for (const auto& [key, value] : table_) {
    const std::string_view k = key.str();
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    std::string message = "unknown key " + in_quotes(k) + " " + heading_;
    if (const auto suggestion = closest_match(k, known_)) {
      message += ", did you mean " + in_quotes(*suggestion) + "?";
    } else {
      message += ", expected one of ";
      for (std::size_t i = 0; i < known_.size(); ++i) message += (i > 0 ? ", " : "") + known_[i];
    }
    problems_.add(key.source(), std::move(message));
  }
}

}  // namespace passgate::controller
