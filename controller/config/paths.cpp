#include "controller/config/paths.hpp"

#include <system_error>

namespace passgate::controller {
namespace {

namespace fs = std::filesystem;

// What is wrong with `path` for `check`, or empty if nothing is.
std::string path_problem(const fs::path& path, PathCheck check) {
  std::error_code ec;
  if (check == PathCheck::file_exists) {
    const auto status = fs::status(path, ec);
    if (status.type() == fs::file_type::not_found) return "which does not exist, expected an existing file";
    if (ec) return "which cannot be checked (" + ec.message() + "), expected an existing file";
    if (status.type() == fs::file_type::directory) return "which is a directory, expected a file";
    return {};
  }
  if (check == PathCheck::parent_dir_exists) {
    const fs::path parent = path.parent_path();
    const auto status = fs::status(parent, ec);
    const std::string dir = in_quotes(parent.string());
    if (status.type() == fs::file_type::not_found) {
      return "whose directory " + dir + " does not exist, expected an existing directory (create it first)";
    }
    if (ec) return "whose directory " + dir + " cannot be checked (" + ec.message() + "), expected an existing directory";
    if (status.type() != fs::file_type::directory) return "whose directory " + dir + " is not a directory, expected a directory";
  }
  return {};
}

}  // namespace

fs::path config_directory(const fs::path& config_file) {
  std::error_code ec;
  const fs::path parent = config_file.parent_path();
  fs::path dir = parent.empty() ? fs::current_path(ec) : fs::absolute(parent, ec);
  if (ec) dir = parent;  // no working directory: resolve as given
  return dir.lexically_normal();
}

std::optional<fs::path> read_path(TableReader& reader, std::string_view key, PathRules rules,
                                  const fs::path& config_dir) {
  const auto text = reader.text(key, rules.presence, rules.empty);
  if (!text) return std::nullopt;
  if (text->empty()) return fs::path{};
  const fs::path given(*text);
  const fs::path resolved = given.is_absolute() ? given.lexically_normal() : (config_dir / given).lexically_normal();
  const std::string problem = path_problem(resolved, rules.check);
  if (problem.empty()) return resolved;
  std::string message = reader.name_of(key) + " is " + in_quotes(*text);
  if (!given.is_absolute()) message += " (resolved to " + in_quotes(resolved.string()) + ")";
  reader.problem_at(key, message + ", " + problem);
  return std::nullopt;
}

}  // namespace passgate::controller
