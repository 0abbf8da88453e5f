#include "crypto/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <utility>

#include <openssl/crypto.h>

#include "common/posix.hpp"

namespace passgate::crypto {
namespace {

namespace fs = std::filesystem;

// "<path>: <what> file <rest>"
Error file_error(std::string code, const fs::path& file, std::string_view what, std::string_view rest) {
  return make_error(std::move(code), file.string() + ": " + std::string(what) + " file " + std::string(rest));
}

// "missing" when there is no such file, else "unreadable": "<path>: cannot <action> <what> file: <reason>".
Error secret_file_os_error(const fs::path& file, std::string_view what, std::string_view action, int error_number) {
  if (error_number == ENOENT) return file_error("missing", file, what, "does not exist");
  return os_error(file.string() + ": cannot " + std::string(action) + " " + std::string(what) + " file", error_number,
                  "unreadable");
}

std::string_view type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// "readable", "readable and writable", ...: what group or others may do with the file.
std::string access_granted(mode_t mode) {
  std::string out;
  for (const auto& [bits, name] : {std::pair{S_IRGRP | S_IROTH, "readable"}, std::pair{S_IWGRP | S_IWOTH, "writable"},
                                   std::pair{S_IXGRP | S_IXOTH, "executable"}}) {
    if ((mode & static_cast<mode_t>(bits)) == 0) continue;
    if (!out.empty()) out += " and ";
    out += name;
  }
  return out;
}

std::string octal_mode(mode_t mode) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

// A regular file that group and others have no permission on.
Status check_kind_and_mode(const struct stat& st, const fs::path& file, std::string_view what) {
  if (!S_ISREG(st.st_mode)) {
    return file_error("unreadable", file, what, "is " + std::string(type_name(st.st_mode)) + ", expected a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return make_error("too_open", file.string() + ": " + std::string(what) + " is " + access_granted(st.st_mode) +
                                      " by group or others (mode " + octal_mode(st.st_mode) +
                                      "); run: chmod 600 " + file.string());
  }
  return {};
}

// A raw key must be exactly `key_bytes`; any other secret must hold something, within bounds.
Status check_size(std::size_t size, const fs::path& file, std::string_view what, std::optional<std::size_t> key_bytes) {
  if (key_bytes) {
    if (size == *key_bytes) return {};
    const std::string n = std::to_string(*key_bytes);
    return file_error("wrong_size", file, what,
                      "is " + std::to_string(size) + " bytes, expected exactly " + n +
                          " random bytes; make one with: head -c " + n + " /dev/urandom > " + file.string() +
                          " && chmod 600 " + file.string());
  }
  if (size == 0) return file_error("empty", file, what, "is empty, expected the secret in it");
  if (size > kMaxSecretFileBytes) {
    return file_error("too_large", file, what,
                      "is " + std::to_string(size) + " bytes, more than the " + std::to_string(kMaxSecretFileBytes) +
                          " a secret may have: is it the right file?");
  }
  return {};
}

// Reads exactly `size` bytes, the size fstat gave; a file that changes meanwhile is an error.
// The buffer is allocated once, so no copy of the secret is left behind in freed memory.
Result<std::string> read_exactly(int fd, std::size_t size, const fs::path& file, std::string_view what) {
  std::string content(size + 1, '\0');
  std::size_t got = 0;
  while (got < content.size()) {
    const ssize_t n = ::read(fd, content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error_number = errno;
      OPENSSL_cleanse(content.data(), content.size());
      return secret_file_os_error(file, what, "read", error_number);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != size) {
    OPENSSL_cleanse(content.data(), content.size());
    return file_error("unreadable", file, what, "changed while it was read, expected it to stay as it is; try again");
  }
  content.resize(size);  // shrinking never reallocates
  return content;
}

Result<std::string> read_checked(const fs::path& file, std::string_view what, std::optional<std::size_t> key_bytes) {
  // O_NONBLOCK: opening a named pipe must not wait for a writer; it is refused below.
  const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return secret_file_os_error(file, what, "open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return secret_file_os_error(file, what, "stat", errno);
  if (auto ok = check_kind_and_mode(st, file, what); !ok) return ok.error();
  const auto size = static_cast<std::size_t>(st.st_size);
  if (auto ok = check_size(size, file, what, key_bytes); !ok) return ok.error();
  return read_exactly(fd.get(), size, file, what);
}

Status stat_checked(const fs::path& file, std::string_view what, std::optional<std::size_t> key_bytes) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return secret_file_os_error(file, what, "stat", errno);
  if (auto ok = check_kind_and_mode(st, file, what); !ok) return ok;
  if (!key_bytes) return {};
  return check_size(static_cast<std::size_t>(st.st_size), file, what, key_bytes);
}

}  // namespace

Result<std::string> read_secret_file(const fs::path& file, std::string_view what) {
  return read_checked(file, what, std::nullopt);
}

Result<std::string> read_secret_text_file(const fs::path& file, std::string_view what) {
  auto content = read_checked(file, what, std::nullopt);
  if (!content) return content;
  std::string& text = *content;
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
  if (text.empty()) return file_error("empty", file, what, "holds only a line break, expected the secret in it");
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c > 0x20 && c < 0x7f) continue;
    OPENSSL_cleanse(text.data(), text.size());
    return file_error("malformed", file, what,
                      "has a space, line break, control character or non-ASCII byte at byte " + std::to_string(i) +
                          ", expected the secret alone on one line, in printable ASCII");
  }
  return content;
}

Result<std::string> read_secret_key_file(const fs::path& file, std::string_view what, std::size_t key_bytes) {
  return read_checked(file, what, key_bytes);
}

Status check_secret_file_mode(const fs::path& file, std::string_view what) {
  return stat_checked(file, what, std::nullopt);
}

Status check_secret_key_file(const fs::path& file, std::string_view what, std::size_t key_bytes) {
  return stat_checked(file, what, key_bytes);
}

}  // namespace passgate::crypto
