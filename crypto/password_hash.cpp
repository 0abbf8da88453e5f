#include "crypto/password_hash.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace passgate::crypto {
namespace {

// crypt_ra's work area, allocated by libxcrypt and freed (after wiping) here.
struct CryptArea {
  CryptArea() = default;
  CryptArea(const CryptArea&) = delete;
  CryptArea& operator=(const CryptArea&) = delete;
  ~CryptArea() {
    if (data != nullptr) {
      OPENSSL_cleanse(data, static_cast<std::size_t>(size));
      std::free(data);  // NOLINT(cppcoreguidelines-no-malloc): libxcrypt allocates with malloc
    }
  }
  void* data = nullptr;
  int size = 0;
};

// crypt_ra's result, or empty for a failure ("*0"/"*1", or null).
std::string crypt_text(const std::string& password, const char* setting) {
  CryptArea area;
  const char* out = crypt_ra(password.c_str(), setting, &area.data, &area.size);
  if (out == nullptr || out[0] == '*') return {};
  return out;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  if (password.find('\0') != std::string_view::npos) return make_error("hash_failed", "the password holds a NUL byte");
  char* setting = crypt_gensalt_ra("$y$", 0, nullptr, 0);
  if (setting == nullptr) return make_error("hash_failed", std::string("no salt: ") + std::strerror(errno));
  const std::unique_ptr<char, decltype(&std::free)> owned(setting, &std::free);
  const std::string secret(password);
  std::string hash = crypt_text(secret, setting);
  if (hash.empty()) return make_error("hash_failed", "libxcrypt refused to hash");
  return hash;
}

namespace {

// libxcrypt knows the method and takes `hash`'s setting; nothing of the hash itself checked.
bool usable_setting(const std::string& hash) {
  return hash.size() >= 4 && hash[0] == '$' && hash.find('\0') == std::string::npos &&
         crypt_checksalt(hash.c_str()) == CRYPT_SALT_OK;
}

}  // namespace

bool password_matches(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos || !usable_setting(hash)) return false;
  const std::string computed = crypt_text(std::string(password), hash.c_str());
  return computed.size() == hash.size() && CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

bool is_crypt_hash(const std::string& hash) {
  if (!usable_setting(hash)) return false;
  // Hashing any password with it must give a hash of the same shape: the same setting and
  // salt (up to the last '$') and a digest as long as `hash`'s.
  const std::string sample = crypt_text("shape check", hash.c_str());
  const auto setting_end = hash.rfind('$');
  return sample.size() == hash.size() && sample.compare(0, setting_end, hash, 0, setting_end) == 0;
}

}  // namespace passgate::crypto
