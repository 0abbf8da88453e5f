// The status page's files (status_page/assets/: HTML, CSS, JavaScript), built into the binary
// at build time (cmake/EmbedAssets.cmake writes status_assets.cpp into the build tree): the
// page needs no internet and no files beside passgated.
#pragma once

#include <optional>
#include <string_view>

namespace passgate::daemon {

struct StatusAsset {
  std::string_view path;          // "/", "/app.js", "/style.css"
  std::string_view content_type;  // with its charset
  std::string_view body;
};

// The asset served at `path`; empty for any other path.
[[nodiscard]] std::optional<StatusAsset> status_asset(std::string_view path);

}  // namespace passgate::daemon
