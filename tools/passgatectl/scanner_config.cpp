#include "tools/passgatectl/scanner_config.hpp"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "controller/config/reader.hpp"
#include "controller/config/sections.hpp"

namespace passgate::ctl {

namespace {

using controller::Presence;
using controller::ProblemList;
using controller::TableReader;

// [io.scanners] of a parsed document, checked as the loader checks it (the backend decides
// whether every entry lane needs a scanner), with every other key ignored.
ScannerConfigLoad scanners_only(const toml::table& document, const std::string& name) {
  ProblemList lane_problems(name);
  TableReader lanes_root(document, "", "at the top level", lane_problems);
  std::vector<controller::LaneConfig> lanes;
  controller::read_lanes(lanes_root, lanes);

  ProblemList problems(name);
  TableReader root(document, "", "at the top level", problems);
  controller::IoConfig io;
  if (auto section = root.section("io", Presence::required, "an [io] table")) {
    const std::string backend = section->raw()["backend"].value_or(std::string());
    controller::read_scanners(*section, backend == "gpiod", backend == "sim", lanes, io);
  }
  ScannerConfigLoad load;
  load.problems = problems.in_file_order();
  if (load.problems.empty()) load.io = std::move(io);
  return load;
}

}  // namespace

ScannerConfigLoad load_scanner_config(const std::filesystem::path& file) {
  auto whole = controller::load_config(file);
  if (whole.config) return ScannerConfigLoad{whole.config->io, {}, 0};
  // Unreadable or not TOML: the loader said why.
  const ScannerConfigLoad unusable{std::nullopt, whole.problems, 0};
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in) return unusable;
  toml::table document;
  try {
    document = toml::parse(text.str(), file.string());
  } catch (const toml::parse_error&) {
    return unusable;
  }
  auto load = scanners_only(document, file.string());
  load.problems_elsewhere = whole.problems.size() - std::min(whole.problems.size(), load.problems.size());
  return load;
}

}  // namespace passgate::ctl
