#include "tools/passgatectl/usage_error.hpp"

#include <charconv>
#include <limits>
#include <vector>

#include "controller/config/suggest.hpp"

namespace passgate::ctl {

namespace {

// The last command the command line named: "passgatectl", "lane", "out-of-service", ...
const CLI::App* last_command(const CLI::App& app) {
  const CLI::App* command = &app;
  while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
  return command;
}

// "passgatectl lane out-of-service"
std::string command_path(const CLI::App* command) {
  std::string path;
  for (; command != nullptr; command = command->get_parent()) {
    path = command->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

// "lane out-of-service: " for a subcommand; nothing at the top.
std::string where(const CLI::App* command) {
  const std::string path = command_path(command);
  const auto space = path.find(' ');
  return space == std::string::npos ? "" : path.substr(space + 1) + ": ";
}

std::string help_hint(const CLI::App* command) { return " (" + command_path(command) + " --help)"; }

// "a, b or c"
std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

std::vector<std::string> subcommand_names(const CLI::App* command) {
  std::vector<std::string> names;
  for (const auto* sub : command->get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// Every option spelling `command` and the commands above it take ("--config", "-c", ...).
std::vector<std::string> option_names(const CLI::App* command) {
  std::vector<std::string> names;
  for (; command != nullptr; command = command->get_parent()) {
    for (const auto* option : command->get_options()) {
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
      for (const auto& name : option->get_snames()) names.push_back("-" + name);
    }
  }
  return names;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const auto near = controller::closest_match(word, candidates);
  return near ? "; did you mean \"" + *near + "\"?" : "";
}

// "lane N": the command with its positionals, as its usage writes it.
std::string with_positionals(const CLI::App* command) {
  std::string usage = command->get_name();
  for (const auto* option : command->get_options()) {
    if (option->get_positional()) usage += " " + option->get_name();
  }
  return usage;
}

std::string unknown_command(const CLI::App* command, const std::string& word) {
  const auto names = subcommand_names(command);
  const std::string suggestion = did_you_mean(word, names);
  if (command->get_parent() == nullptr) {
    return "unknown command \"" + word + "\"" + (suggestion.empty() ? "." : suggestion) +
           " The commands: " + one_of(names) + help_hint(command);
  }
  return where(command) + "unknown action \"" + word + "\"" + (suggestion.empty() ? "." : suggestion) + " " +
         with_positionals(command) + " takes " + one_of(names) + help_hint(command);
}

// The first required argument or option not given, in the last command or above it, and
// the command it belongs to.
std::pair<const CLI::App*, const CLI::Option*> missing_argument(const CLI::App* command) {
  for (; command != nullptr; command = command->get_parent()) {
    for (const auto* option : command->get_options()) {
      if (option->get_required() && option->count() == 0) return {command, option};
    }
  }
  return {nullptr, nullptr};
}

std::string missing(const CLI::App* command) {
  if (const auto [owner, option] = missing_argument(command); option != nullptr) {
    const bool positional = option->get_positional();
    const std::string name =
        positional ? option->get_name() : "--" + option->get_lnames().front() + " " + option->get_type_name();
    return where(owner) + "missing " + name + ": " + option->get_description() + help_hint(command);
  }
  if (command->get_require_subcommand_min() > 0 && command->get_subcommands().empty()) {
    const auto names = subcommand_names(command);
    if (command->get_parent() == nullptr) return "which command? The commands: " + one_of(names) + help_hint(command);
    return where(command) + "which one? " + command->get_name() + " takes " + one_of(names) + help_hint(command);
  }
  return "";
}

}  // namespace

CLI::Validator whole_number(std::int64_t min, std::int64_t max,
                            std::function<std::string(const std::string& text)> explain) {
  return CLI::Validator(
      [min, max, explain](std::string& text) -> std::string {
        std::int64_t n = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (error != std::errc() || end != text.data() + text.size() || n < min || n > max) {
          throw UsageError(explain(text));
        }
        return {};
      },
      "");
}

CLI::Validator limit_check() {
  return whole_number(0, 2147483647, [](const std::string& text) {
    return "--limit must be 0 (every one) or a positive number, not " + text;
  });
}

CLI::Validator id_check(std::string command, std::string lister) {
  return whole_number(1, std::numeric_limits<std::int64_t>::max(), [command, lister](const std::string& text) {
    return command + ": \"" + text + "\" is not an id; ids are positive whole numbers, as " + lister + " lists them";
  });
}

std::string explain_parse_error(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* command = last_command(app);
  const auto left = app.remaining(true);
  const std::string name = error.get_name();
  if (!left.empty() && left.front().starts_with("-") && left.front().size() > 1) {
    const std::string option = left.front().substr(0, left.front().find('='));
    return where(command) + "unknown option " + option + did_you_mean(option, option_names(command)) +
           help_hint(command);
  }
  if (!left.empty() && !subcommand_names(command).empty() && command->get_subcommands().empty()) {
    return unknown_command(command, left.front());
  }
  if (name == "RequiredError") {
    if (auto text = missing(command); !text.empty()) return text;
  }
  if (!left.empty()) {
    return where(command) + "unexpected argument \"" + left.front() + "\"" + help_hint(command);
  }
  if (name == "ArgumentMismatch") {
    const std::string what = error.what();
    return where(command) + what.substr(0, what.find(':')) + " needs a value" + help_hint(command);
  }
  return where(command) + error.what() + help_hint(command);
}

}  // namespace passgate::ctl
