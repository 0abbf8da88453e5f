// Writing a file so that readers see the old one or the whole new one, never part of it, and
// a failure leaves the old one as it was: a temporary file in the same directory, written,
// given its mode, synced, then renamed over the file (and the directory synced).
#pragma once

#include <filesystem>
#include <string_view>

#include <sys/types.h>

#include "common/result.hpp"

namespace passgate::ctl {

// Errors: "io_error", naming the file and the OS's reason.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode);

}  // namespace passgate::ctl
