#include "passgated/status_login.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <vector>

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

StatusLogin::Client::Client(SteadyTime now, Millis per_second, Millis burst)
    : hashing(static_cast<double>(per_second.count()), static_cast<double>(burst.count()), now) {}

bool StatusLogin::Client::idle(SteadyTime now) const {
  return (failures == 0 || now - last_failure > kFailureWindow) && hashing.full(now);
}

StatusLogin::Network::Network(SteadyTime now)
    : failures(kMaxNetworkFailures / std::chrono::duration<double>(kFailureWindow).count(), kMaxNetworkFailures, now),
      hashing(static_cast<double>(kNetworkHashingPerSecond.count()), static_cast<double>(kNetworkHashingBurst.count()),
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

UsersChange StatusLogin::replace_users(crypto::UsersFile users) {
  if (!users_) return {};
  const std::vector<std::string> differing = users_->differing(users);
  UsersChange change;
  change.changed = !differing.empty();
  for (const auto& user : differing) {
    if (users_->hash_of(user)) change.gone.push_back(user);
  }
  const auto differs = [&differing](const std::string& user) {
    return std::find(differing.begin(), differing.end(), user) != differing.end();
  };
  // A failed header of a user added or given another hash may be right now.
  std::erase_if(remembered_, [&differs](const auto& entry) { return differs(entry.second.user); });
  std::erase_if(failed_headers_, [&differs](const auto& entry) { return differs(entry.second.user); });
  users_ = std::move(users);
  return change;
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

LoginCheck StatusLogin::check(std::string_view authorization, const std::string& peer_address) {
  if (!users_) return {LoginOutcome::allowed, "", {}};
  if (authorization.empty()) return {};  // refused: a browser's first try; it asks for a login next
  const SteadyTime now = clock_.steady_now();
  const Digest digest = digest_of(authorization);
  bool known = false;
  if (const auto found = remembered_.find(digest); found != remembered_.end()) {
    if (found->second.trusted_until > now) return {LoginOutcome::allowed, found->second.user, {}};
    known = found->second.known_until > now;
    if (!known) remembered_.erase(found);
  }
  const Counted client = clients_of(client_keys(peer_address), now, !known);
  // A /64 past its cap refuses only its addresses that failed kNetworkLimitedAfter checks
  // themselves: a clean address of the store's LAN gets its own tries, and one that failed
  // once (a typo, a stale header) its 401.
  const bool failing = failed_lately(client.address, now);
  const bool failing_again = failing && client.address->checked_failures >= kNetworkLimitedAfter;
  if (!known && ((failing_again && limited(client.network, peer_address, now)) ||
                 limited(client.address, peer_address, now))) {
    return {LoginOutcome::limited, "", kFailureWindow};
  }
  const auto credentials = basic_credentials(authorization);
  if (!credentials) {
    failed(client, peer_address, "", now, false);
    return {};
  }
  if (const auto found = failed_headers_.find(digest); found != failed_headers_.end()) {
    if (found->second.until > now) {
      failed(client, peer_address, credentials->user, now, false);
      return {};
    }
    failed_headers_.erase(found);
  }
  if (!known) {
    if (const auto wait = hashing_wait(client, failing, now); wait.count() > 0) {
      return {LoginOutcome::busy, "", wait};
    }
  }
  if (!verify(*credentials, client)) {
    remembered_.erase(digest);
    remember_failed(digest, credentials->user, now);
    failed(client, peer_address, credentials->user, now, true);
    return {};
  }
  if (client.address != nullptr) {
    client.address->failures = 0;
    client.address->checked_failures = 0;
    client.address->limit_logged = false;
  }
  remember(digest, credentials->user, now);
  return {LoginOutcome::allowed, credentials->user, {}, true};
}

bool StatusLogin::failed_lately(const Client* client, SteadyTime now) {
  return client != nullptr && client->failures > 0 && now - client->last_failure <= kFailureWindow;
}

std::chrono::seconds StatusLogin::hashing_wait(const Counted& who, bool failing, SteadyTime now) const {
  // A check starts while a budget is above its floor: waiting for a thousandth of its burst
  // more will do. An address that failed lately leaves kHashingReserved of the budget in all
  // to the others.
  Millis wait{0};
  const auto spent = [&wait, now](const TokenBucket& budget, double floor) {
    if (budget.tokens(now) <= floor) wait = std::max(wait, std::max(budget.until(floor + 1, now), Millis(1)));
  };
  spent(hashing_, failing ? static_cast<double>(kHashingReserved.count()) : 0.0);
  if (who.address != nullptr) spent(who.address->hashing, 0.0);
  if (who.network != nullptr) spent(who.network->hashing, 0.0);
  return std::chrono::ceil<std::chrono::seconds>(wait);
}

bool StatusLogin::verify(const Credentials& credentials, const Counted& who) {
  const auto hash = users_->hash_of(credentials.user);
  // An unknown user costs the same check as a known one (no timing tells which names exist).
  const SteadyTime started = clock_.steady_now();
  const bool matches = check_(credentials.password, hash ? *hash : users_->decoy_hash());
  const SteadyTime ended = clock_.steady_now();
  const double spent_ms = std::chrono::duration<double, std::milli>(ended - started).count();
  hashing_.take(spent_ms, ended);
  if (who.address != nullptr) who.address->hashing.take(spent_ms, ended);
  if (who.network != nullptr) who.network->hashing.take(spent_ms, ended);
  return hash.has_value() && matches;
}

StatusLogin::Counted StatusLogin::clients_of(const ClientKeys& keys, SteadyTime now, bool make) {
  const auto idle = [](const auto& client, SteadyTime at) { return client.idle(at); };
  Counted out;
  if (!make) {
    out.address = addresses_.find(keys.address);
    if (!keys.network.empty()) out.network = networks_.find(keys.network);
    return out;
  }
  out.address = &addresses_.at(
      keys.address, now, [now] { return Client(now, kClientHashingPerSecond, kClientHashingBurst); }, idle);
  if (!keys.network.empty()) {
    out.network = &networks_.at(keys.network, now, [now] { return Network(now); }, idle);
  }
  return out;
}

void StatusLogin::failed(const Counted& who, const std::string& peer_address, const std::string& user,
                         SteadyTime now, bool hashed) {
  int failures = 0;
  // A /64 counts only the failures that cost a check: the others cost nothing to refuse.
  if (hashed && who.network != nullptr) who.network->failures.take(1, now);
  if (Client* client = who.address; client != nullptr) {
    if (now - client->last_failure > kFailureWindow) {
      client->failures = 0;
      client->checked_failures = 0;
      client->limit_logged = false;
    }
    failures = ++client->failures;
    if (hashed) ++client->checked_failures;
    client->last_failure = now;
  }
  // Only a user of the file is named: what was typed in the user box may be a password.
  log_.failed(peer_address, users_->hash_of(user) ? sanitized(user) : std::string("(unknown)"), failures);
}

bool StatusLogin::limited(Client* client, const std::string& peer_address, SteadyTime now) {
  if (client == nullptr || client->failures < kMaxFailures) return false;
  if (now - client->last_failure > kFailureWindow) {
    client->failures = 0;
    client->checked_failures = 0;
    client->limit_logged = false;
    return false;
  }
  if (!client->limit_logged) {
    log_.limited(peer_address, client->failures, kFailureWindow);
    client->limit_logged = true;
  }
  return true;
}

bool StatusLogin::limited(Network* network, const std::string& peer_address, SteadyTime now) {
  if (network == nullptr) return false;
  if (network->failures.tokens(now) >= 1) {
    network->limit_logged = false;
    return false;
  }
  if (!network->limit_logged) {
    log_.limited(peer_address, kMaxNetworkFailures, kFailureWindow);
    network->limit_logged = true;
  }
  return true;
}

void StatusLogin::remember(const Digest& digest, const std::string& user, SteadyTime now) {
  put_bounded(remembered_, digest, Remembered{now + kRemembered, now + kKnown, user}, kMaxRemembered,
              [](const Remembered& r) { return r.known_until; });
}

void StatusLogin::remember_failed(const Digest& digest, const std::string& user, SteadyTime now) {
  put_bounded(failed_headers_, digest, FailedHeader{now + kFailureWindow, user}, kMaxFailedHeaders,
              [](const FailedHeader& f) { return f.until; });
}

}  // namespace passgate::daemon
