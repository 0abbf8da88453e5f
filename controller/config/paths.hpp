// Internal to config loading: reads a path-valued key, resolves a relative path against
// the config file's directory and checks what must exist at load time (the file, or the
// directory it will be created in).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "controller/config/reader.hpp"

namespace passgate::controller {

enum class PathCheck {
  none,               // e.g. a socket that appears later
  file_exists,        // keys, certificates: an existing regular file (or a link to one)
  parent_dir_exists,  // database, log file: created by the gate, in an existing directory
};

struct PathRules {
  Presence presence = Presence::required;
  PathCheck check = PathCheck::none;
  Empty empty = Empty::rejected;  // allowed: "" means "not set" and stays empty
};

// The resolved path, or nothing if the key is absent, empty or has a problem (reported).
[[nodiscard]] std::optional<std::filesystem::path> read_path(TableReader& reader, std::string_view key,
                                                             PathRules rules,
                                                             const std::filesystem::path& config_dir);

// The absolute directory of a config file, against which its relative paths resolve.
[[nodiscard]] std::filesystem::path config_directory(const std::filesystem::path& config_file);

}  // namespace passgate::controller
