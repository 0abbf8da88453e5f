// StatusLogin: who may see the status page. Without a users file everyone may (the page is
// then on loopback only: controller/config/section_status_page.cpp). With one, each request
// carries HTTP Basic credentials (over TLS), checked against the file's crypt(3) hashes; a
// file without users is valid, and then nobody gets in.
// Bounded, because a hash check holds the one event loop (the lanes' and the fire alarm's
// too) for tens of milliseconds; the time spent hashing is measured on the steady clock:
//  - hashing budget: at most kHashingPerSecond of hashing a second in all (kHashingBurst at
//    once: the longest the loop is held is that and one check), each client address at most
//    kClientHashingPerSecond of it, and all the addresses of one IPv6 /64 together at most
//    kNetworkHashingPerSecond (common/client_keys.hpp). A check starts only while each of
//    these budgets is above zero, and its time is taken off afterwards: a slow check is paid
//    for by waiting (else `busy`, 429 with when to try again). An address with a failed login
//    within kFailureWindow starts one only while the budget in all is above kHashingReserved
//    (a quarter of its burst): the rest goes to the others first, so a dozen guessing
//    addresses cannot keep every new login out;
//  - an address with kMaxFailures failed logins within kFailureWindow is refused (`limited`)
//    without any check until kFailureWindow has passed since its last failure. A /64 counts
//    the failed checks (those that cost a hash) of all its addresses in a bucket that lets
//    kMaxNetworkFailures through within kFailureWindow (and leaks back at that rate, so a
//    slow trickle of failures from fresh addresses does not keep it over the cap); over it,
//    it refuses its addresses that failed kNetworkLimitedAfter checks themselves within the
//    window, never a clean one nor one with a single failed check (a typo, or the stale header
//    of a password just changed, replayed without a check, gets its 401 and so the browser's
//    prompt): inside the store's LAN, which shares one /64, a host with many addresses cannot
//    lock out the others, and its addresses are held to the hashing budgets;
//  - a header that failed is refused again for kFailureWindow without a check (a browser sends
//    it with each request of the page, its icon too), still counted as its address's failure;
//  - a failed login is logged with the user name only when it is a user of the file, else
//    user=(unknown): a password typed in the user box never reaches the log;
//  - a login that succeeded is remembered for kRemembered (a salted SHA-256 of the header,
//    never the password), so the page's reloads and its event stream cost no check; after
//    that it is still known for kKnown: checked again, but never refused by the budgets or a
//    client's failures, so the technician gets in while an attack exhausts them.
// An unknown user is checked against the users file's decoy hash (UsersFile::decoy_hash), so it
// costs what a known user does. Failed logins are logged by StatusLoginLog (capped in all).
// Tracks at most kMaxClients addresses and as many /64s (a new one takes the place of the least
// recently seen idle one: common/client_table.hpp), kMaxRemembered logins and
// kMaxFailedHeaders failed headers (the oldest go first). replace_users (a reload) forgets the
// logins of the users removed or given another hash, and keeps the others'.
// Single-threaded, on the event loop.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/client_keys.hpp"
#include "common/client_table.hpp"
#include "common/clock.hpp"
#include "common/token_bucket.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "passgated/status_login_log.hpp"

namespace passgate::daemon {

// limited: too many failed logins from the client; busy: the hashing budget is spent.
enum class LoginOutcome { allowed, refused, limited, busy };

struct LoginCheck {
  LoginOutcome outcome = LoginOutcome::refused;
  std::string user;                      // allowed: whose login ("" when the page needs none)
  std::chrono::seconds retry_after{0};   // limited or busy: when to try again
  bool checked = false;                  // allowed after a password check (not a remembered login)
  [[nodiscard]] bool operator==(LoginOutcome other) const { return outcome == other; }
};

// What a reload of the users changed (StatusLogin::replace_users).
struct UsersChange {
  bool changed = false;           // a user added, removed or given another hash
  std::vector<std::string> gone;  // removed or given another hash: whatever they opened ends
};

// Whether a password matches a crypt(3) hash: crypto::password_matches (a test's fake may
// take virtual time instead).
using PasswordCheck = std::function<bool(std::string_view password, const std::string& hash)>;

class StatusLogin {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr int kMaxNetworkFailures = 20;
  static constexpr int kNetworkLimitedAfter = 2;  // an address's own failed checks before its /64's cap holds it
  static constexpr std::chrono::seconds kFailureWindow{60};
  static constexpr Millis kHashingPerSecond{100};
  static constexpr Millis kHashingBurst{200};
  static constexpr Millis kHashingReserved{kHashingBurst / 4};  // for addresses that did not fail lately
  static constexpr Millis kClientHashingPerSecond{25};
  static constexpr Millis kClientHashingBurst{100};
  static constexpr Millis kNetworkHashingPerSecond{50};
  static constexpr Millis kNetworkHashingBurst{150};
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
  [[nodiscard]] LoginCheck check(std::string_view authorization, const std::string& peer_address);
  // The users from now on (a reload). The remembered logins of users removed or given another
  // hash are forgotten, so that counts at once; the others' are kept. Only when required().
  [[nodiscard]] UsersChange replace_users(crypto::UsersFile users);

 private:
  // An address's failures and hashing budget.
  struct Client {
    Client(SteadyTime now, Millis per_second, Millis burst);
    [[nodiscard]] bool idle(SteadyTime now) const;
    int failures = 0;
    int checked_failures = 0;  // of those, the ones that cost a check
    SteadyTime last_failure{};
    bool limit_logged = false;
    TokenBucket hashing;  // in milliseconds
  };
  // An IPv6 /64's failed checks and hashing budget.
  struct Network {
    explicit Network(SteadyTime now);
    [[nodiscard]] bool idle(SteadyTime now) const { return failures.full(now) && hashing.full(now); }
    TokenBucket failures;  // a failed check takes one; below one: over kMaxNetworkFailures
    bool limit_logged = false;
    TokenBucket hashing;  // in milliseconds
  };
  // The entries a request is counted under: its address's, and its /64's (IPv6).
  struct Counted {
    Client* address = nullptr;  // null: not tracked (a known login from a new client)
    Network* network = nullptr;
  };
  struct Remembered {
    SteadyTime trusted_until;  // allowed without a check
    SteadyTime known_until;    // checked, but past the budgets and the client's failures
    std::string user;
  };
  struct FailedHeader {
    SteadyTime until;  // refused without a check until
    std::string user;
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
  [[nodiscard]] bool verify(const Credentials& credentials, const Counted& who);
  // The entries of `keys`, made if new when `make`.
  [[nodiscard]] Counted clients_of(const ClientKeys& keys, SteadyTime now, bool make);
  // A failed login; counted on the /64 too when `hashed` (it cost a check).
  void failed(const Counted& who, const std::string& peer_address, const std::string& user, SteadyTime now,
              bool hashed);
  // Whether `client` failed a login within kFailureWindow.
  [[nodiscard]] static bool failed_lately(const Client* client, SteadyTime now);
  // Whether `client` had kMaxFailures failures within the window (logged once per limit).
  [[nodiscard]] bool limited(Client* client, const std::string& peer_address, SteadyTime now);
  // Whether `network` is over kMaxNetworkFailures (logged once per limit).
  [[nodiscard]] bool limited(Network* network, const std::string& peer_address, SteadyTime now);
  // Until the budgets that stop a check now let one start (`failing`: the address failed lately).
  [[nodiscard]] std::chrono::seconds hashing_wait(const Counted& who, bool failing, SteadyTime now) const;
  void remember(const Digest& digest, const std::string& user, SteadyTime now);
  void remember_failed(const Digest& digest, const std::string& user, SteadyTime now);

  std::optional<crypto::UsersFile> users_;
  const Clock& clock_;
  PasswordCheck check_;
  StatusLoginLog log_;
  std::array<unsigned char, 32> salt_{};
  TokenBucket hashing_;  // in milliseconds
  ClientTable<Client> addresses_{kMaxClients};
  ClientTable<Network> networks_{kMaxClients};
  std::map<Digest, Remembered> remembered_;
  std::map<Digest, FailedHeader> failed_headers_;
};

}  // namespace passgate::daemon
