// CtlFixture: a gate as passgatectl finds it on disk (a valid config file, its key files and
// the database it names, written with the db/ stores as passgated would) and a way to run the
// real passgatectl binary against it.
// StoreDay: a CtlFixture whose queue holds one operation in each state an operator meets,
// with ages relative to the wall clock (passgatectl measures ages against it):
//   settled     charge 12.50 USD, succeeded 3 days 4 hours ago (its PaymentIntent id stored)
//   pending     charge 20.00 USD, 2 h 30 min old, one failed attempt (HTTP 503)
//   in_flight   charge 500 JPY (stored as "jpy"), 10 min old
//   declined    charge 42.00 USD, a dead letter (insufficient_funds)
//   dead        capture 8.00 USD of a hold, a dead letter (HTTP 404)
//   entry_decline  preauth 50.00 USD declined at entry, no alert: not a dead letter
//   written_off charge 3.00 USD, written off by "fixture" (one audit row)
// and the gateway published unreachable 2 h 31 min ago.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/payment_queue.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {

struct CtlRun {
  int exit_code = -1;
  std::string output;  // standard output and error
};

struct AuditRow {
  std::string actor;
  std::string action;
  std::int64_t op_id = 0;
  std::string detail;
};

class CtlFixture {
 public:
  CtlFixture();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::string config_file() const { return (dir_ / "gate.toml").string(); }
  [[nodiscard]] std::filesystem::path database_file() const { return dir_ / "db" / "passgate.db"; }
  [[nodiscard]] db::Database& database() { return *database_; }
  // The wall clock when the fixture was made, in Unix ms.
  [[nodiscard]] std::int64_t now_ms() const { return now_ms_; }

  // Runs passgatectl with `args`, then "--config <config_file()>".
  [[nodiscard]] CtlRun ctl(std::vector<std::string> args) const;
  // Runs passgatectl with exactly `args`.
  [[nodiscard]] static CtlRun run(std::vector<std::string> args);

  void add_session(const std::string& session_id);
  // A settlement of `session_id` with one operation, created `age_ms` ago; its id.
  std::int64_t settle(const std::string& session_id, db::NewPaymentOp op, std::int64_t age_ms);
  [[nodiscard]] db::PaymentOpRecord op(std::int64_t id);
  [[nodiscard]] std::vector<AuditRow> audit_log();

 private:
  TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::int64_t now_ms_;
};

struct StoreDay : CtlFixture {
  StoreDay();

  std::int64_t settled = 0;
  std::int64_t pending = 0;
  std::int64_t in_flight = 0;
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
