// StatusLogin: who may see the status page. Without a users file everyone may (the page is
// then on loopback only: controller/config/section_status_page.cpp). With one, each request
// carries HTTP Basic credentials (over TLS), checked against the file's crypt(3) hashes.
// Bounded, because each hash check costs tens of milliseconds of the event loop's CPU:
//  - a client address with kMaxFailures failed logins within kFailureWindow is refused
//    (`limited`, 429) without any check until kFailureWindow has passed since its last failure;
//  - at most kChecksPerSecond hash checks a second in all (more: `limited`), whoever asks;
//  - a login that succeeded is remembered for kRemembered (a salted SHA-256 of the header,
//    never the password), so the page's reloads and its event stream cost no check.
// Every failed login is logged (event=status_login_failed, the user name sanitized and cut,
// never the password); a limited address once per limit (event=status_login_limited).
// Tracks at most kMaxAddresses addresses and kMaxRemembered logins (the oldest go first).
// Single-threaded, on the event loop.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "crypto/users_file.hpp"

namespace passgate::daemon {

enum class LoginOutcome { allowed, refused, limited };

class StatusLogin {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::seconds kFailureWindow{60};
  static constexpr int kChecksPerSecond = 4;
  static constexpr std::chrono::minutes kRemembered{10};
  static constexpr std::size_t kMaxAddresses = 1024;
  static constexpr std::size_t kMaxRemembered = 64;

  // `users`: empty when the page needs no login. `clock` outlives this.
  StatusLogin(std::optional<crypto::UsersFile> users, const Clock& clock);

  [[nodiscard]] bool required() const { return users_.has_value(); }
  // The outcome for a request with this Authorization header from `peer_address`.
  [[nodiscard]] LoginOutcome check(std::string_view authorization, const std::string& peer_address);

 private:
  struct Failures {
    int count = 0;
    SteadyTime last{};
    bool limit_logged = false;
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
  [[nodiscard]] bool verify(const Credentials& credentials) const;
  void failed(const std::string& peer_address, const std::string& user, SteadyTime now);
  [[nodiscard]] bool limited(const std::string& peer_address, SteadyTime now);
  [[nodiscard]] bool check_budget(SteadyTime now);

  std::optional<crypto::UsersFile> users_;
  const Clock& clock_;
  std::array<unsigned char, 32> salt_{};
  std::map<std::string, Failures> failures_;
  std::map<Digest, SteadyTime> remembered_;  // until when
  SteadyTime budget_second_{};
  int budget_used_ = 0;
};

}  // namespace passgate::daemon
