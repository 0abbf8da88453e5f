// [database] and [logging]: what the gate writes to local disk.
#include <array>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<std::string_view>, 5> kLevels{
    {{"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}}};

}  // namespace

void read_storage(TableReader& root, const std::filesystem::path& config_dir, GateConfig& config) {
  if (auto database = root.section("database", Presence::required, "a [database] table with path")) {
    if (auto path = read_path(*database, "path", {Presence::required, PathCheck::parent_dir_exists}, config_dir)) {
      config.database = std::move(*path);
    }
    database->report_unknown_keys();
  }
  if (auto logging = root.section("logging", Presence::optional)) {
    if (auto level = logging->choice<std::string_view>("level", kLevels, Presence::optional)) {
      config.logging.level = std::string(*level);
    }
    const PathRules log_file{Presence::optional, PathCheck::parent_dir_exists, Empty::allowed};
    if (auto file = read_path(*logging, "file", log_file, config_dir)) config.logging.file = std::move(*file);
    logging->report_unknown_keys();
  }
}

}  // namespace passgate::controller
