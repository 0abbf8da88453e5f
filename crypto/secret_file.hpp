// Secret files: the payment gateway's API key and the payment sealing keys, each kept in a
// file that only its owner may use (mode 0600 or stricter). The readers refuse a file that
// group or others may read, write or execute; the check_* functions only stat the file, for
// `passgatectl check-config`, which may run as a user who cannot read it.
//
// Every error message starts with the file's path and says what is wrong and what to do;
// none ever contains a byte of the file. `what` names the secret in messages, e.g.
// "the gateway API key", "the payment sealing key". Error codes:
//   "missing"     the file does not exist
//   "unreadable"  not a regular file, or the OS refuses to open, stat or read it (its reason)
//   "too_open"    group or others have a permission bit on it (the message gives the mode
//                 and the chmod command)
//   "empty"       nothing in it (for a text secret: nothing but a line break)
//   "too_large"   over kMaxSecretFileBytes
//   "wrong_size"  a raw key that is not exactly its size, empty included (the message
//                 says how to make one)
//   "malformed"   a text secret with a space, line break, control character or non-ASCII
//                 byte inside it (the message gives its offset, never the byte)
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::crypto {

inline constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

// The file's bytes, as they are. Codes: missing, unreadable, too_open, empty, too_large.
// The caller owns the secret: OPENSSL_cleanse it when done.
[[nodiscard]] Result<std::string> read_secret_file(const std::filesystem::path& file, std::string_view what);

// A secret written as one line of text (an API key): the file's bytes without one trailing
// "\n" or "\r\n", which must be printable ASCII without spaces (it goes into an HTTP
// header). Codes: those of read_secret_file, and "malformed".
[[nodiscard]] Result<std::string> read_secret_text_file(const std::filesystem::path& file, std::string_view what);

// A raw key of exactly `key_bytes` bytes. Codes: missing, unreadable, too_open, wrong_size
// (the message gives the command that makes a key of the right size).
[[nodiscard]] Result<std::string> read_secret_key_file(const std::filesystem::path& file, std::string_view what,
                                                       std::size_t key_bytes);

// Stat only: the file exists, is a regular file (symbolic links are followed), and group and
// others have no permission bits on it. Codes: missing, unreadable, too_open.
[[nodiscard]] Status check_secret_file_mode(const std::filesystem::path& file, std::string_view what);

// check_secret_file_mode, and the file is exactly `key_bytes` long. Codes: missing,
// unreadable, too_open, wrong_size.
[[nodiscard]] Status check_secret_key_file(const std::filesystem::path& file, std::string_view what,
                                           std::size_t key_bytes);

}  // namespace passgate::crypto
