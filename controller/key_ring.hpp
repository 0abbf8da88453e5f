// KeyRing: the issuer key set currently in force, loaded from the configured JWKS file.
// reload() builds a complete new set and swaps it in only if it loaded cleanly; a
// verification in progress keeps the snapshot it took (shared_ptr), so a reload (SIGHUP)
// never drops a scan.
#pragma once

#include <filesystem>
#include <memory>

#include "common/result.hpp"
#include "crypto/key_set.hpp"

namespace passgate::controller {

class KeyRing {
 public:
  explicit KeyRing(std::filesystem::path file) : file_(std::move(file)) {}

  // Loads the file; on failure the previous set (if any) stays in force.
  [[nodiscard]] Status reload();
  [[nodiscard]] std::shared_ptr<const crypto::KeySet> current() const { return current_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::shared_ptr<const crypto::KeySet> current_;
};

}  // namespace passgate::controller
