#include "passgated/status_login.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

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

// Sets map[key] to `value`; when that would pass `max` entries, the one whose `ends` comes
// first goes.
template <class Map, class Ends>
void put_bounded(Map& map, const typename Map::key_type& key, typename Map::mapped_type value, std::size_t max,
                 Ends ends) {
  if (!map.contains(key) && map.size() >= max) {
    map.erase(std::min_element(map.begin(), map.end(),
                               [&ends](const auto& a, const auto& b) { return ends(a.second) < ends(b.second); }));
  }
  map.insert_or_assign(key, std::move(value));
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

StatusLogin::Client::Client(SteadyTime now)
    : hashing(static_cast<double>(kClientHashingPerSecond.count()), static_cast<double>(kClientHashingBurst.count()),
              now) {}

StatusLogin::StatusLogin(std::optional<crypto::UsersFile> users, const Clock& clock, TimerService& timers,
                         PasswordCheck check)
    : users_(std::move(users)), clock_(clock), check_(std::move(check)), log_(clock, timers),
      hashing_(static_cast<double>(kHashingPerSecond.count()), static_cast<double>(kHashingBurst.count()),
               clock.steady_now()) {
  if (RAND_bytes(salt_.data(), static_cast<int>(salt_.size())) != 1) {
    // Without randomness the digests are still unique per header; only their salt is fixed.
    salt_.fill(0x5a);
  }
}

bool StatusLogin::replace_users(crypto::UsersFile users) {
  if (!users_) return false;
  const bool changed = !(users == *users_);
  users_ = std::move(users);
  remembered_.clear();
  failed_headers_.clear();
  return changed;
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
  if (authorization.empty()) return LoginOutcome::refused;  // a browser's first try: it asks for a login next
  const SteadyTime now = clock_.steady_now();
  const Digest digest = digest_of(authorization);
  bool known = false;
  if (const auto found = remembered_.find(digest); found != remembered_.end()) {
    if (found->second.trusted_until > now) return LoginOutcome::allowed;
    known = found->second.known_until > now;
    if (!known) remembered_.erase(found);
  }
  Client* client = client_of(drivers::client_source(peer_address), now, !known);
  if (!known && (client == nullptr || limited(*client, peer_address, now))) return LoginOutcome::limited;
  const auto credentials = basic_credentials(authorization);
  if (!credentials) {
    failed(client, peer_address, "", now);
    return LoginOutcome::refused;
  }
  if (const auto found = failed_headers_.find(digest); found != failed_headers_.end()) {
    if (found->second > now) {
      failed(client, peer_address, credentials->user, now);
      return LoginOutcome::refused;
    }
    failed_headers_.erase(found);
  }
  if (!known && (hashing_.tokens(now) <= 0 || client->hashing.tokens(now) <= 0)) return LoginOutcome::limited;
  if (!verify(*credentials, client)) {
    remembered_.erase(digest);
    remember_failed(digest, now);
    failed(client, peer_address, credentials->user, now);
    return LoginOutcome::refused;
  }
  if (client != nullptr) {
    client->failures = 0;
    client->limit_logged = false;
  }
  remember(digest, now);
  return LoginOutcome::allowed;
}

bool StatusLogin::verify(const Credentials& credentials, Client* client) {
  const auto hash = users_->hash_of(credentials.user);
  // An unknown user costs the same check as a known one (no timing tells which names exist).
  const SteadyTime started = clock_.steady_now();
  const bool matches = check_(credentials.password, hash ? *hash : users_->decoy_hash());
  const SteadyTime ended = clock_.steady_now();
  const double spent_ms = std::chrono::duration<double, std::milli>(ended - started).count();
  hashing_.take(spent_ms, ended);
  if (client != nullptr) client->hashing.take(spent_ms, ended);
  return hash.has_value() && matches;
}

StatusLogin::Client* StatusLogin::client_of(const std::string& source, SteadyTime now, bool make) {
  if (const auto found = clients_.find(source); found != clients_.end()) return &found->second;
  if (!make) return nullptr;
  if (clients_.size() >= kMaxClients) {
    // Idle: no failure within the window, and its hashing budget whole again.
    std::erase_if(clients_, [now](auto& entry) {
      return (entry.second.failures == 0 || now - entry.second.last_failure > kFailureWindow) &&
             entry.second.hashing.full(now);
    });
    if (clients_.size() >= kMaxClients) return nullptr;
  }
  return &clients_.emplace(source, Client(now)).first->second;
}

void StatusLogin::failed(Client* client, const std::string& peer_address, const std::string& user, SteadyTime now) {
  int failures = 0;
  if (client != nullptr) {
    if (now - client->last_failure > kFailureWindow) {
      client->failures = 0;
      client->limit_logged = false;
    }
    failures = ++client->failures;
    client->last_failure = now;
  }
  log_.failed(peer_address, sanitized(user), failures);
}

bool StatusLogin::limited(Client& client, const std::string& peer_address, SteadyTime now) {
  if (client.failures < kMaxFailures) return false;
  if (now - client.last_failure > kFailureWindow) {
    client.failures = 0;
    client.limit_logged = false;
    return false;
  }
  if (!client.limit_logged) {
    log_.limited(peer_address, client.failures, kFailureWindow);
    client.limit_logged = true;
  }
  return true;
}

void StatusLogin::remember(const Digest& digest, SteadyTime now) {
  put_bounded(remembered_, digest, Remembered{now + kRemembered, now + kKnown}, kMaxRemembered,
              [](const Remembered& r) { return r.known_until; });
}

void StatusLogin::remember_failed(const Digest& digest, SteadyTime now) {
  put_bounded(failed_headers_, digest, now + kFailureWindow, kMaxFailedHeaders, [](SteadyTime until) { return until; });
}

}  // namespace passgate::daemon
