// The build's identity, for every program's --version: the project version, the git
// revision it was built from and the build type. CMake writes their values at every build
// (cmake/WriteVersion.cmake configures common/version_info.cpp.in into the build tree).
#pragma once

#include <string>
#include <string_view>

namespace passgate {

// The project version, as project() in CMakeLists.txt sets it: "0.1.0".
[[nodiscard]] std::string_view project_version();
// `git describe --always --dirty` of the source tree when it was built ("6712791",
// "v0.1.0-3-g6712791-dirty"); "unknown" when it was not built from a git checkout (a tarball).
[[nodiscard]] std::string_view git_revision();
// CMAKE_BUILD_TYPE ("RelWithDebInfo", "Debug", ...); "unspecified" when none was set.
[[nodiscard]] std::string_view build_type();
// The line --version prints: "passgatectl 0.1.0 (git 6712791, RelWithDebInfo)".
[[nodiscard]] std::string version_line(std::string_view program);

}  // namespace passgate
