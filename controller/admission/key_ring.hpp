// KeyRing: the issuer key set currently in force, loaded from the configured JWKS file.
// reload() builds a complete new set and swaps it in only if it loaded cleanly; a
// verification in progress keeps the snapshot it took (shared_ptr), so a reload (SIGHUP)
// never drops a scan. A config reload reads a file first (read()) and puts it in force
// later (install()), so that nothing changes unless every file it needs could be read.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "crypto/key_set.hpp"

namespace passgate::controller {

class KeyRing {
 public:
  // A key set read from its file, not yet in force.
  struct Loaded {
    std::filesystem::path file;
    std::string text;  // the file's content, to tell whether anything changed
    std::shared_ptr<const crypto::KeySet> keys;
  };

  explicit KeyRing(std::filesystem::path file) : file_(std::move(file)) {}

  // Loads the file; on failure the previous set (if any) stays in force.
  [[nodiscard]] Status reload();
  // Reads and parses a JWKS file (the codes of crypto::KeySet::load).
  [[nodiscard]] static Result<Loaded> read(const std::filesystem::path& file);
  // Puts `loaded` in force. True when its file or content differs from the set in force.
  bool install(Loaded loaded);

  [[nodiscard]] std::shared_ptr<const crypto::KeySet> current() const { return current_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::string text_;
  std::shared_ptr<const crypto::KeySet> current_;
};

}  // namespace passgate::controller
