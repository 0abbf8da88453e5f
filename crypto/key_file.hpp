// Key and key-set files (JWKS, PEM): read whole, and written atomically with an exact mode,
// so a gate reloading its key set never sees a half-written file. Used by KeySet::load and
// the token tools; errors are values with the file name and the OS reason.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kMaxKeyFileBytes = 1 << 20;  // key sets are a few KB

// The file's bytes. Error code "io_error": cannot open or read it (message names the file
// and the OS reason), or it is over kMaxKeyFileBytes.
[[nodiscard]] Result<std::string> read_key_file(const std::filesystem::path& file);

// Replaces `file` with `content` (written to "<file>.tmp", synced, then renamed), with
// permissions exactly `mode` regardless of the umask. Error code "io_error".
[[nodiscard]] Status write_key_file(const std::filesystem::path& file, std::string_view content,
                                   mode_t mode);

}  // namespace passgate::crypto
