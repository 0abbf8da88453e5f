#include "passgated/status_login.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "crypto/password_hash.hpp"

namespace passgate::daemon {
namespace {

constexpr std::size_t kMaxLoggedUser = 32;

// The bytes of standard base64 (with padding) `text`; empty when it is not base64.
std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.ends_with("==")) {
    padding = 2;
  } else if (text.ends_with('=')) {
    padding = 1;
  }
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// A user name as it may be logged: printable ASCII, cut to kMaxLoggedUser.
std::string sanitized(std::string_view user) {
  std::string out;
  for (const char c : user.substr(0, kMaxLoggedUser)) out += (c >= 0x21 && c < 0x7F) ? c : '?';
  return out;
}

}  // namespace

void StatusLogin::wipe(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

std::optional<StatusLogin::Credentials> StatusLogin::basic_credentials(std::string_view authorization) {
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.size() <= kBasic.size() ||
      !std::equal(kBasic.begin(), kBasic.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); })) {
    return std::nullopt;
  }
  auto decoded = decode_base64(authorization.substr(kBasic.size()));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  Credentials credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  wipe(*decoded);
  return credentials;
}

StatusLogin::StatusLogin(std::optional<crypto::UsersFile> users, const Clock& clock)
    : users_(std::move(users)), clock_(clock) {
  if (RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1) {
    // Without randomness the digests are still unique per header; only their salt is fixed.
    salt_.fill(0x5a);
  }
}

StatusLogin::Digest StatusLogin::digest_of(std::string_view authorization) const {
  Digest digest{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx, salt_.data(), salt_.size()) == 1 &&
      EVP_DigestUpdate(ctx, authorization.data(), authorization.size()) == 1) {
    unsigned int size = 0;
    (void)EVP_DigestFinal_ex(ctx, digest.data(), &size);
  }
  EVP_MD_CTX_free(ctx);
  return digest;
}

LoginOutcome StatusLogin::check(std::string_view authorization, const std::string& peer_address) {
  if (!users_) return LoginOutcome::allowed;
  const SteadyTime now = clock_.steady_now();
  if (authorization.empty()) return LoginOutcome::refused;  // a browser's first try: it asks for a login next
  const Digest digest = digest_of(authorization);
  if (const auto found = remembered_.find(digest); found != remembered_.end()) {
    if (found->second > now) return LoginOutcome::allowed;
    remembered_.erase(found);
  }
  if (limited(peer_address, now)) return LoginOutcome::limited;
  const auto credentials = basic_credentials(authorization);
  if (!credentials) {
    failed(peer_address, "", now);
    return LoginOutcome::refused;
  }
  if (!check_budget(now)) return LoginOutcome::limited;
  if (!verify(*credentials)) {
    failed(peer_address, credentials->user, now);
    return LoginOutcome::refused;
  }
  failures_.erase(peer_address);
  if (remembered_.size() >= kMaxRemembered) {
    remembered_.erase(std::min_element(remembered_.begin(), remembered_.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  remembered_[digest] = now + kRemembered;
  return LoginOutcome::allowed;
}

bool StatusLogin::verify(const Credentials& credentials) const {
  const auto hash = users_->hash_of(credentials.user);
  // An unknown user costs the same check as a known one (no timing tells which names exist).
  static const std::string kDecoy = "$y$j9T$QjBx5TeQKEO7lyQQosX4P0$VKBXAl3rNQmOotdWNx1pxHFDFUIpxlMfkOH/riPJIj/";
  const bool matches = crypto::password_matches(credentials.password, hash ? *hash : kDecoy);
  return hash.has_value() && matches;
}

void StatusLogin::failed(const std::string& peer_address, const std::string& user, SteadyTime now) {
  auto found = failures_.find(peer_address);
  if (found == failures_.end()) {
    if (failures_.size() >= kMaxAddresses) {
      failures_.erase(std::min_element(failures_.begin(), failures_.end(),
                                       [](const auto& a, const auto& b) { return a.second.last < b.second.last; }));
    }
    found = failures_.emplace(peer_address, Failures{}).first;
  }
  auto& f = found->second;
  if (now - f.last > kFailureWindow) f = Failures{};
  ++f.count;
  f.last = now;
  spdlog::warn("event=status_login_failed peer={} user={} failures={}", log_value(peer_address),
               log_value(sanitized(user)), f.count);
}

bool StatusLogin::limited(const std::string& peer_address, SteadyTime now) {
  const auto found = failures_.find(peer_address);
  if (found == failures_.end()) return false;
  auto& f = found->second;
  if (now - f.last > kFailureWindow) {
    failures_.erase(found);
    return false;
  }
  if (f.count < kMaxFailures) return false;
  if (!f.limit_logged) {
    spdlog::warn("event=status_login_limited peer={} failures={} for_s={}", log_value(peer_address), f.count,
                 kFailureWindow.count());
    f.limit_logged = true;
  }
  return true;
}

bool StatusLogin::check_budget(SteadyTime now) {
  if (now - budget_second_ >= std::chrono::seconds(1)) {
    budget_second_ = now;
    budget_used_ = 0;
  }
  if (budget_used_ >= kChecksPerSecond) return false;
  ++budget_used_;
  return true;
}

}  // namespace passgate::daemon
