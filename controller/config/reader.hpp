// Internal to config loading: ProblemList collects positioned problems; TableReader reads
// one TOML table key by key, reporting every wrong type, range, missing key and, at the
// end, every key nobody asked for (with a typo suggestion). Section readers use only this.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "controller/config/config.hpp"

namespace passgate::controller {

class ProblemList {
 public:
  explicit ProblemList(std::string file) : file_(std::move(file)) {}

  void add(int line, int column, std::string message);
  void add(const toml::source_region& where, std::string message);
  [[nodiscard]] bool empty() const { return problems_.empty(); }
  [[nodiscard]] std::size_t size() const { return problems_.size(); }
  // Every problem, in file order (line, then column; ties keep the order they were found).
  [[nodiscard]] std::vector<ConfigProblem> in_file_order() const;

 private:
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

enum class Presence { required, optional };
enum class Empty { rejected, allowed };

struct IntRange {
  std::int64_t min;
  std::int64_t max;
};

template <class E>
struct Choice {
  std::string_view name;
  E value;
};

// "a string", "an integer", ...: how messages name the type a value has.
[[nodiscard]] std::string describe_type(const toml::node& node);
// "\"text\"" with quotes and backslashes escaped.
[[nodiscard]] std::string in_quotes(std::string_view text);
// A key as it is written in a dotted name: bare if it can be, quoted otherwise.
[[nodiscard]] std::string key_spelling(std::string_view key);

class TableReader {
 public:
  // `name`: the table's dotted name ("" at the top level, "tokens", "lanes[1]"); `heading`:
  // where it is, for unknown-key messages ("in [tokens]", "at the top level").
  TableReader(const toml::table& table, std::string name, std::string heading, ProblemList& problems);

  // A string (non-empty unless `empty` allows it).
  std::optional<std::string> text(std::string_view key, Presence presence, Empty empty = Empty::rejected);
  std::optional<std::int64_t> integer(std::string_view key, IntRange range, Presence presence);
  std::optional<bool> boolean(std::string_view key);
  template <class E>
  std::optional<E> choice(std::string_view key, std::span<const Choice<E>> choices, Presence presence);
  // A sub-table; `expected` says what a missing or mistyped one should be.
  const toml::table* table(std::string_view key, Presence presence, std::string_view expected = "a table");
  const toml::array* array(std::string_view key, Presence presence, std::string_view expected = "an array");
  // The raw node, marked as known; null when absent.
  const toml::node* node(std::string_view key);
  // A reader for a sub-table named `name_of(key)`; nothing if it is absent or not a table
  // (reported as by table()).
  std::optional<TableReader> section(std::string_view key, Presence presence, std::string_view expected = "a table");
  // A reader for a table found another way (an array element, a gpiod line).
  [[nodiscard]] TableReader nested(const toml::table& table, std::string name, std::string heading) const;

  // "tokens.issuer" for "issuer" in [tokens].
  [[nodiscard]] std::string name_of(std::string_view key) const;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const toml::table& raw() const { return table_; }
  // How many problems have been found so far, in this table or anywhere else.
  [[nodiscard]] std::size_t problem_count() const { return problems_.size(); }
  // A problem at the key's value (or at this table when the key is absent).
  void problem_at(std::string_view key, std::string message);
  // A problem at the key itself rather than its value.
  void problem_at_key(std::string_view key, std::string message);
  // A problem at this table (its header; 1:1 for the top level).
  void problem_here(std::string message);
  // A problem at any node of the document.
  void problem_at_node(const toml::node& node, std::string message);
  // Reports every key in the table that no read above asked for. Call once, last.
  void report_unknown_keys();

 private:
  const toml::node* present(std::string_view key, Presence presence, std::string_view expected);
  void wrong_type(std::string_view key, const toml::node& node, std::string_view expected);
  std::optional<std::size_t> choice_index(std::string_view key, const std::vector<std::string_view>& names,
                                          Presence presence);

  const toml::table& table_;
  std::string name_;
  std::string heading_;
  ProblemList& problems_;
  std::vector<std::string> known_;
};

template <class E>
std::optional<E> TableReader::choice(std::string_view key, std::span<const Choice<E>> choices, Presence presence) {
  std::vector<std::string_view> names;
  for (const auto& c : choices) names.push_back(c.name);
  const auto index = choice_index(key, names, presence);
  if (!index) return std::nullopt;
  return choices[*index].value;
}

}  // namespace passgate::controller
