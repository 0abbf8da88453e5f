// Usage errors (exit 2) in passgatectl's own words instead of CLI11's: an unknown command or
// option with the nearest valid ones (by edit distance), a missing or extra argument, a
// number out of range; each names what was given, the command, and where --help is.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace passgate::ctl {

// Thrown while the command line is read (by whole_number) or by a command that finds its
// arguments do not fit; main() prints "passgatectl: <what()>" and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A check for an option or positional: its text must be a whole number from `min` to `max`,
// else UsageError(explain(text)).
[[nodiscard]] CLI::Validator whole_number(std::int64_t min, std::int64_t max,
                                          std::function<std::string(const std::string& text)> explain);

// --limit N of the listings (sessions, queue, outbox): 0 (every one) or a positive number.
[[nodiscard]] CLI::Validator limit_check();

// An ID argument (`command` names it in the message, e.g. "queue retry"): a positive whole
// number, as `lister` (e.g. "passgatectl queue") lists them.
[[nodiscard]] CLI::Validator id_check(std::string command, std::string lister);

// What is wrong with the command line `app` failed to parse, and where to look.
[[nodiscard]] std::string explain_parse_error(const CLI::App& app, const CLI::ParseError& error);

}  // namespace passgate::ctl
