// CtlFixture: a gate as passgatectl meets it: a config file (sim backend, one entry and one
// exit lane, its control socket in the temp dir; the tracking engine and the payment gateway
// on a loopback port that refuses every connection, so both read unreachable and nothing
// leaves the machine), its key files, and its database, seeded with the db/ stores as
// passgated would have written it; then the real passgated started on it (start_gate), and
// the real passgatectl run against it over the control socket. A connection that owes a
// request is closed after a second (request_timeout_ms).
// StoreDay: a started CtlFixture whose queue holds one operation in each state an operator
// meets, with ages relative to the wall clock (the gate measures ages against it):
//   settled        charge 12.50 USD, succeeded 3 days 4 hours ago (its PaymentIntent id stored)
//   pending        charge 20.00 USD, 2 h 30 min old, one failed attempt (HTTP 503), next
//                  attempt in an hour
//   pending_yen    charge 500 JPY (stored as "jpy"), 10 min old, next attempt in an hour
//   declined       charge 42.00 USD, a dead letter (insufficient_funds)
//   dead           capture 8.00 USD of a hold, a dead letter (HTTP 404)
//   entry_decline  preauth 50.00 USD declined at entry, no alert: not a dead letter; its
//                  session is still open (no cart yet)
//   written_off    charge 3.00 USD, written off by "fixture" (one audit row)
// two more open sessions (s-shopping-1 on lane 1 with a group of 3, 5 min old; s-shopping-2
// admitted offline, 1 min old), a denied one, and the gateway published unreachable 2 h 31
// min ago. Sessions with a settlement have ended. The gate has found the tracking engine
// unreachable when the constructor returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {

using namespace std::chrono_literals;

struct CtlRun {
  int exit_code = -1;
  std::string output;  // standard output and error
};

struct AuditRow {
  std::string actor;
  std::string action;
  std::int64_t op_id = 0;
  std::string detail;
  std::optional<std::int64_t> peer_uid;  // who connected (SO_PEERCRED); none for the fixture's own rows
  std::optional<std::int64_t> peer_gid;
};

// A loopback TCP port bound but never listening: every connection to it is refused.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

inline constexpr std::chrono::milliseconds kGateLimit = 30s;

class CtlFixture {
 public:
  // `request_timeout`: [control] request_timeout_ms, short so that tests see it pass;
  // `control_keys`: more lines for [control].
  explicit CtlFixture(std::chrono::milliseconds request_timeout = 1s, const std::string& control_keys = {});
  ~CtlFixture();
  CtlFixture(const CtlFixture&) = delete;
  CtlFixture& operator=(const CtlFixture&) = delete;

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::string config_file() const { return (dir_ / "gate.toml").string(); }
  [[nodiscard]] std::filesystem::path control_socket() const { return dir_ / "control.sock"; }
  [[nodiscard]] std::filesystem::path database_file() const { return dir_ / "db" / "passgate.db"; }
  [[nodiscard]] db::Database& database() { return *database_; }
  // The wall clock when the fixture was made, in Unix ms.
  [[nodiscard]] std::int64_t now_ms() const { return now_ms_; }

  // Starts passgated on config_file() and waits until it is ready.
  void start_gate();
  [[nodiscard]] ChildProcess& gated() { return *gated_; }

  // Runs passgatectl with `args`, then "--config <config_file()>".
  [[nodiscard]] CtlRun ctl(std::vector<std::string> args) const;
  // Runs `program` (passgatectl unless told) with exactly `args`.
  [[nodiscard]] static CtlRun run(std::vector<std::string> args, const std::string& program = PASSGATECTL);

  // An open session created `age_ms` ago; admitted offline: open_offline, its open request
  // in the outbox.
  void add_session(const std::string& session_id, std::int64_t age_ms = 0, int lane = 1, int group_size = 1,
                   bool offline = false);
  // A settlement of `session_id` (a new open session) with one operation, created `age_ms` ago; its id.
  std::int64_t settle(const std::string& session_id, db::NewPaymentOp op, std::int64_t age_ms);
  [[nodiscard]] db::PaymentOpRecord op(std::int64_t id);
  [[nodiscard]] std::vector<AuditRow> audit_log();

 private:
  TempDir dir_;
  RefusingPort backends_;
  std::unique_ptr<db::Database> database_;
  std::int64_t now_ms_;
  std::unique_ptr<ChildProcess> gated_;
};

struct StoreDay : CtlFixture {
  StoreDay();

  std::int64_t settled = 0;
  std::int64_t pending = 0;
  std::int64_t pending_yen = 0;
  std::int64_t declined = 0;
  std::int64_t dead = 0;
  std::int64_t entry_decline = 0;
  std::int64_t written_off = 0;
};

// A payment operation of `session_id` (currency "USD", unless set after).
[[nodiscard]] db::NewPaymentOp payment_op(const std::string& session_id, const std::string& op, std::int64_t amount);

// Sets an environment variable (or, given nullopt, removes it) for the programs a test runs,
// and restores it when the test ends.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const std::optional<std::string>& value) const;
  std::string name_;
  std::optional<std::string> saved_;
};

// The user passgatectl records when this test process runs it without SUDO_USER.
[[nodiscard]] std::string this_user();

inline constexpr std::int64_t kMinute = 60'000;
inline constexpr std::int64_t kHour = 60 * kMinute;
inline constexpr std::int64_t kDay = 24 * kHour;

}  // namespace passgate::test
