// StatusLogin: who may see the status page. Without a users file everyone may (the page is
// then on loopback only: controller/config/section_status_page.cpp). With one, each request
// carries HTTP Basic credentials (over TLS), checked against the file's crypt(3) hashes.
// Bounded, because a hash check holds the one event loop (the lanes' and the fire alarm's
// too) for tens of milliseconds; the time spent hashing is measured on the steady clock:
//  - hashing budget: at most kHashingPerSecond of hashing a second in all (kHashingBurst at
//    once: the longest the loop is held is that and one check), and each client (an IPv4
//    address or an IPv6 /64: drivers::client_source) at most kClientHashingPerSecond of it.
//    A check starts only while both budgets are above zero, and its time is taken off
//    afterwards: a slow check is paid for by waiting (else `limited`, 429);
//  - a client with kMaxFailures failed logins within kFailureWindow is refused (`limited`)
//    without any check until kFailureWindow has passed since its last failure;
//  - a header that failed is refused again for kFailureWindow without a check (a browser sends
//    it with each request of the page, its icon too), still counted as a failure;
//  - a login that succeeded is remembered for kRemembered (a salted SHA-256 of the header,
//    never the password), so the page's reloads and its event stream cost no check; after
//    that it is still known for kKnown: checked again, but never refused by the budgets or a
//    client's failures, so the technician gets in while an attack exhausts them.
// An unknown user is checked against the users file's decoy hash (UsersFile::decoy_hash), so it
// costs what a known user does. Failed logins are logged by StatusLoginLog (capped in all).
// Tracks at most kMaxClients clients (more new ones are `limited` until some are idle again),
// kMaxRemembered logins and kMaxFailedHeaders failed headers (the oldest go first).
// replace_users (a reload) forgets every login.
// Single-threaded, on the event loop.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/token_bucket.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "drivers/http_listener.hpp"  // client_source
#include "passgated/status_login_log.hpp"

namespace passgate::daemon {

enum class LoginOutcome { allowed, refused, limited };

// Whether a password matches a crypt(3) hash: crypto::password_matches (a test's fake may
// take virtual time instead).
using PasswordCheck = std::function<bool(std::string_view password, const std::string& hash)>;

class StatusLogin {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::seconds kFailureWindow{60};
  static constexpr Millis kHashingPerSecond{100};
  static constexpr Millis kHashingBurst{200};
  static constexpr Millis kClientHashingPerSecond{25};
  static constexpr Millis kClientHashingBurst{100};
  static constexpr std::chrono::minutes kRemembered{10};
  static constexpr std::chrono::hours kKnown{24};
  static constexpr std::size_t kMaxClients = 1024;
  static constexpr std::size_t kMaxRemembered = 64;
  static constexpr std::size_t kMaxFailedHeaders = 256;

  // `users`: empty when the page needs no login. `clock` and `timers` outlive this.
  StatusLogin(std::optional<crypto::UsersFile> users, const Clock& clock, TimerService& timers,
              PasswordCheck check = &crypto::password_matches);

  [[nodiscard]] bool required() const { return users_.has_value(); }
  // The outcome for a request with this Authorization header from `peer_address`.
  [[nodiscard]] LoginOutcome check(std::string_view authorization, const std::string& peer_address);
  // The users from now on (a reload); every remembered login is forgotten, so a removed user
  // or a changed password takes effect at once. Only when required(). Whether they differ
  // from those before.
  [[nodiscard]] bool replace_users(crypto::UsersFile users);

 private:
  struct Client {
    explicit Client(SteadyTime now);
    int failures = 0;
    SteadyTime last_failure{};
    bool limit_logged = false;
    TokenBucket hashing;  // in milliseconds
  };
  struct Remembered {
    SteadyTime trusted_until;  // allowed without a check
    SteadyTime known_until;    // checked, but past the budgets and the client's failures
  };
  using Digest = std::array<unsigned char, 32>;

  struct Credentials {
    Credentials(std::string u, std::string p) : user(std::move(u)), password(std::move(p)) {}
    Credentials(const Credentials&) = delete;
    Credentials& operator=(const Credentials&) = delete;
    Credentials(Credentials&&) = default;
    ~Credentials() { wipe(password); }
    std::string user;
    std::string password;
  };
  static void wipe(std::string& secret);
  // The user and password of an "Authorization: Basic ..." header; empty when malformed.
  [[nodiscard]] static std::optional<Credentials> basic_credentials(std::string_view authorization);
  [[nodiscard]] Digest digest_of(std::string_view authorization) const;
  // Checks the password, and takes the time it took off the budgets (the client's when known).
  [[nodiscard]] bool verify(const Credentials& credentials, Client* client);
  // The client's entry, made if new; null when kMaxClients are tracked and none is idle.
  [[nodiscard]] Client* client_of(const std::string& source, SteadyTime now, bool make);
  void failed(Client* client, const std::string& peer_address, const std::string& user, SteadyTime now);
  [[nodiscard]] bool limited(Client& client, const std::string& peer_address, SteadyTime now);
  void remember(const Digest& digest, SteadyTime now);
  void remember_failed(const Digest& digest, SteadyTime now);

  std::optional<crypto::UsersFile> users_;
  const Clock& clock_;
  PasswordCheck check_;
  StatusLoginLog log_;
  std::array<unsigned char, 32> salt_{};
  TokenBucket hashing_;  // in milliseconds
  std::map<std::string, Client> clients_;
  std::map<Digest, Remembered> remembered_;
  std::map<Digest, SteadyTime> failed_headers_;  // refused without a check until
};

}  // namespace passgate::daemon
