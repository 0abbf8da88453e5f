#include "crypto/password_hash.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

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

// libxcrypt knows the method and takes `hash`'s setting; nothing of the hash itself checked.
bool usable_setting(const std::string& hash) {
  return hash.size() >= 4 && hash[0] == '$' && hash.find('\0') == std::string::npos &&
         crypt_checksalt(hash.c_str()) == CRYPT_SALT_OK;
}

constexpr std::string_view kCrypt64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// yescrypt's variable-length number (its "$y$" parameters, after `min`), taken off the front
// of `text`; empty when malformed.
std::optional<std::uint64_t> take_yescrypt_number(std::string_view& text, std::uint64_t min) {
  if (text.empty()) return std::nullopt;
  auto digit = kCrypt64.find(text.front());
  if (digit == std::string_view::npos) return std::nullopt;
  text.remove_prefix(1);
  // The first digit says how many follow: 0-47 none, 48-55 one, 56-59 two, ...
  std::uint64_t value = min;
  std::uint64_t start = 0;
  std::uint64_t end = 47;
  int more = 0;
  int bits = 0;
  while (digit > end) {
    value += (end + 1 - start) << bits;
    start = end + 1;
    end = start + (62 - end) / 2;
    ++more;
    bits += 6;
  }
  value += (digit - start) << bits;
  for (; more > 0; --more) {
    if (text.empty() || (digit = kCrypt64.find(text.front())) == std::string_view::npos) return std::nullopt;
    text.remove_prefix(1);
    bits -= 6;
    value += static_cast<std::uint64_t>(digit) << bits;
  }
  return value;
}

Error malformed() { return make_error("malformed", "is not a crypt(3) hash this system accepts"); }

Error too_costly(const HashSetting& setting, const std::string& bound) {
  return make_error("too_costly", "costs too much to check on the event loop (" + setting.method + " " +
                                      setting.cost + "; at most " + bound + ")");
}

// A hash of the method, read: its setting, and `twin` (the same hash with the method's
// cheapest parameters, to check its shape by hashing at no cost).
struct ReadHash {
  HashSetting setting;
  std::string twin;
};

// "$y$" FLAVOR N_LOG2 R "$" SALT "$" DIGEST (N = 2^N_LOG2).
Result<ReadHash> read_yescrypt(const std::string& hash) {
  std::string_view params(hash);
  params.remove_prefix(3);
  const auto params_end = params.find('$');
  if (params_end == std::string_view::npos) return malformed();
  const std::string_view rest = params.substr(params_end);
  params = params.substr(0, params_end);
  const std::string_view all = params;
  const auto flavor = take_yescrypt_number(params, 0);
  const std::string_view flavor_text = all.substr(0, all.size() - params.size());
  const auto n_log2 = take_yescrypt_number(params, 1);
  const auto r = take_yescrypt_number(params, 1);
  if (!flavor || !n_log2 || !r || *n_log2 < 2 || *n_log2 > 63) return malformed();
  if (!params.empty()) {
    return make_error("unsupported", "has yescrypt parameters besides N and r (p, t, g or a ROM), which passgatectl "
                                     "never writes");
  }
  constexpr std::uint64_t kMaxLog2 = 40;  // N * r computed exactly below it
  const std::string n = *n_log2 > kMaxLog2 ? "2^" + std::to_string(*n_log2) : std::to_string(1ULL << *n_log2);
  ReadHash out{{"yescrypt", "N=" + n + " r=" + std::to_string(*r)},
               "$y$" + std::string(flavor_text) + "/5" + std::string(rest)};  // N=4 r=8
  if (*n_log2 > kMaxLog2 || *r > kMaxYescryptWork || (std::uint64_t{1} << *n_log2) * *r > kMaxYescryptWork) {
    return too_costly(out.setting, "N*r=" + std::to_string(kMaxYescryptWork));
  }
  return out;
}

// "$2b$" (or 2a, 2y) COST "$" SALT+DIGEST, COST two digits.
Result<ReadHash> read_bcrypt(const std::string& hash) {
  if (hash.size() < 7 || hash[6] != '$' || std::isdigit(static_cast<unsigned char>(hash[4])) == 0 ||
      std::isdigit(static_cast<unsigned char>(hash[5])) == 0) {
    return malformed();
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4) return malformed();  // libxcrypt's least
  ReadHash out{{"bcrypt", "cost " + std::to_string(cost)}, hash.substr(0, 4) + "04" + hash.substr(6)};
  if (cost > kMaxBcryptCost) return too_costly(out.setting, "cost " + std::to_string(kMaxBcryptCost));
  return out;
}

// "$6$" ["rounds=" ROUNDS "$"] SALT "$" DIGEST (5000 rounds without).
Result<ReadHash> read_sha_crypt(const std::string& hash) {
  constexpr std::string_view kRounds = "rounds=";
  std::uint64_t rounds = 5000;
  std::string rest = hash.substr(3);
  if (rest.starts_with(kRounds)) {
    const auto end = rest.find('$');
    const std::string digits = rest.substr(kRounds.size(), end == std::string::npos ? 0 : end - kRounds.size());
    // As libxcrypt writes them: 1000 to 999999999, no leading zero.
    if (digits.empty() || digits.size() > 9 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return malformed();
    }
    rounds = std::stoull(digits);
    if (rounds < 1000) return malformed();
    rest = rest.substr(end + 1);
  }
  ReadHash out{{"sha512-crypt", "rounds=" + std::to_string(rounds)}, "$6$rounds=1000$" + rest};
  if (rounds > kMaxShaCryptRounds) return too_costly(out.setting, "rounds=" + std::to_string(kMaxShaCryptRounds));
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

bool password_matches(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos || !usable_setting(hash)) return false;
  const std::string computed = crypt_text(std::string(password), hash.c_str());
  return computed.size() == hash.size() && CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

Result<HashSetting> check_crypt_hash(const std::string& hash) {
  if (!usable_setting(hash)) return malformed();
  const auto parsed = [&hash]() -> Result<ReadHash> {
    if (hash.starts_with("$y$")) return read_yescrypt(hash);
    if (hash.starts_with("$2b$") || hash.starts_with("$2a$") || hash.starts_with("$2y$")) return read_bcrypt(hash);
    if (hash.starts_with("$6$")) return read_sha_crypt(hash);
    return make_error("unsupported", "uses a method the status page does not take (only yescrypt $y$, bcrypt $2b$ "
                                     "and sha512-crypt $6$)");
  }();
  if (!parsed.ok()) return parsed.error();
  // The twin hashed with any password must give a hash of its shape: the same setting and
  // salt (up to the last '$') and a digest as long as its own.
  const std::string& twin = parsed->twin;
  const std::string sample = crypt_text("shape check", twin.c_str());
  const auto setting_end = twin.rfind('$');
  if (sample.size() != twin.size() || sample.compare(0, setting_end, twin, 0, setting_end) != 0) return malformed();
  return parsed->setting;
}

}  // namespace passgate::crypto
