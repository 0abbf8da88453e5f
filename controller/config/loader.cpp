// load_config / parse_config: TOML syntax first (one problem, the parser's), then every
// section reader, then unknown top-level keys; problems come back in file order.
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "controller/config/config.hpp"
#include "controller/config/paths.hpp"
#include "controller/config/reader.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

ConfigLoad failed(const ProblemList& problems) { return ConfigLoad{std::nullopt, problems.in_file_order()}; }

ConfigLoad check(std::string_view text, const std::string& name, const std::filesystem::path& config_dir) {
  ProblemList problems(name);
  toml::table document;
  try {
    document = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    problems.add(e.source(), "invalid TOML: " + std::string(e.description()));
    return failed(problems);
  }
  GateConfig config;
  config.source = name;
  TableReader root(document, "", "at the top level", problems);
  read_identity_and_tokens(root, config_dir, config);
  read_lanes(root, config.lanes);
  read_entry(root, config.entry);
  read_io(root, config.lanes, config_dir, config.io);
  read_tracking(root, config_dir, config.tracking);
  read_offline(root, config.offline);
  read_payments(root, config_dir, config.payments);
  read_terminal(root, config_dir, config.terminal);
  read_storage(root, config_dir, config);
  read_control(root, config_dir, config.control);
  read_metrics(root, config.metrics);
  read_store(root, config_dir, config.store_id, config.clock_skew, config.store);
  read_status_page(root, config_dir, config.status_page);
  root.report_unknown_keys();
  if (!problems.empty()) return failed(problems);
  return ConfigLoad{std::move(config), {}};
}

ConfigLoad one_problem(const std::string& name, std::string message) {
  ProblemList problems(name);
  problems.add(0, 0, std::move(message));
  return failed(problems);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The whole file, or the OS's reason it cannot be read.
Result<std::string> read_file(const std::filesystem::path& file) {
  const auto os_error = [] { return make_error("io_error", std::generic_category().message(errno)); };
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
  if (!f) return os_error();
  std::string text;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) text.append(buffer, n);
  if (std::ferror(f.get()) != 0) return os_error();
  return text;
}

}  // namespace

ConfigLoad parse_config(std::string_view text, const std::string& name) {
  try {
    return check(text, name, config_directory(name));
  } catch (const std::exception& e) {
    return one_problem(name, std::string("cannot check the config: ") + e.what());
  }
}

ConfigLoad load_config(const std::filesystem::path& file) {
  try {
    auto text = read_file(file);
    if (!text) return one_problem(file.string(), "cannot read the config file: " + text.error().message);
    ConfigLoad load = check(*text, file.string(), config_directory(file));
    if (load.config) load.config->source = file;
    return load;
  } catch (const std::exception& e) {
    return one_problem(file.string(), std::string("cannot check the config: ") + e.what());
  }
}

}  // namespace passgate::controller
