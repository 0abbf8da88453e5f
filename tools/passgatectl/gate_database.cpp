#include "tools/passgatectl/gate_database.hpp"

#include <filesystem>
#include <iostream>
#include <system_error>

namespace passgate::ctl {

void add_config_option(CLI::App& command, std::string& config_file) {
  config_file = kDefaultConfigFile;
  command.add_option("-c,--config", config_file, "the gate's configuration file")->capture_default_str();
}

Result<controller::GateConfig> load_gate_config(const std::string& config_file) {
  auto load = controller::load_config(config_file);
  if (!load.config) {
    std::string problems;
    for (const auto& p : load.problems) problems += "\n" + controller::format_problem(p);
    return make_error("bad_config", "cannot use the config file " + config_file + " (passgatectl check-config " +
                                        config_file + " explains):" + problems);
  }
  return std::move(*load.config);
}

Result<GateDatabase> open_gate_database(const std::string& config_file) {
  auto config = load_gate_config(config_file);
  if (!config.ok()) return config.error();
  const auto& file = config->database;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return make_error("no_database", "no gate database at " + file.string() + " ([database] path in " + config_file +
                                         "); passgated creates it when it first starts with this config");
  }
  auto database = db::Database::open(file);
  if (!database.ok()) return database.error();
  return GateDatabase{std::move(config).value(), std::move(database).value()};
}

int report_failure(const Error& error) {
  std::cerr << "passgatectl: " << error.message << '\n';
  return 1;
}

}  // namespace passgate::ctl
