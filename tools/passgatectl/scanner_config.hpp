// The code scanners of a gate config ([io.scanners]) for passgatectl udev-rules: the whole
// file when it is valid, else [io.scanners] read on its own (with the [[lanes]] it refers to),
// so a config whose only problems are elsewhere still gives its scanners. A file that cannot
// be read or is not TOML gives none.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "controller/config/config.hpp"

namespace passgate::ctl {

struct ScannerConfigLoad {
  std::optional<controller::IoConfig> io;           // set when the scanner part is valid
  std::vector<controller::ConfigProblem> problems;  // why it is not (the scanner part's problems)
  std::size_t problems_elsewhere = 0;               // the rest of the file's problems
};

[[nodiscard]] ScannerConfigLoad load_scanner_config(const std::filesystem::path& file);

}  // namespace passgate::ctl
