#include "tests/passgatectl/ctl_fixture.hpp"

#include <catch2/catch.hpp>

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/gate_status.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/minimal_gate_config.hpp"

namespace passgate::test {

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void require_ok(const Status& done) { REQUIRE(db::test::describe(done) == "ok"); }

}  // namespace

CtlFixture::CtlFixture() : now_ms_(unix_millis(std::chrono::system_clock::now())) {
  write_file(dir_ / "gate.toml", kMinimalGateConfig);
  write_file(dir_ / "keys.jwks.json", R"({"keys":[]})");
  write_gate_secrets(dir_.path());
  fs::create_directory(dir_ / "db");
  database_ = db::test::open_or_fail(database_file());
}

CtlRun CtlFixture::ctl(std::vector<std::string> args) const {
  args.push_back("--config");
  args.push_back(config_file());
  return run(std::move(args));
}

CtlRun CtlFixture::run(std::vector<std::string> args) {
  ChildProcess ctl(PASSGATECTL, std::move(args));
  const auto status = ctl.wait_exit(std::chrono::seconds(30));
  INFO("passgatectl said:\n" << ctl.output());
  REQUIRE(status.has_value());
  return CtlRun{*status, ctl.output()};
}

void CtlFixture::add_session(const std::string& session_id) {
  db::SessionStore sessions(*database_);
  require_ok(sessions.begin(db::test::session(session_id, "jti-" + session_id, now_ms_)));
}

std::int64_t CtlFixture::settle(const std::string& session_id, db::NewPaymentOp op, std::int64_t age_ms) {
  add_session(session_id);
  db::SettlementDecision decision{session_id, true, op.amount_minor, 0, op.op};
  auto ids = db::SettlementStore(*database_).settle(decision, {std::move(op)}, now_ms_ - age_ms);
  REQUIRE(db::test::describe(ids) == "ok");
  REQUIRE(ids->size() == 1);
  return ids->front();
}

db::PaymentOpRecord CtlFixture::op(std::int64_t id) {
  auto found = db::PaymentQueue(*database_).find(id);
  REQUIRE(db::test::describe(found) == "ok");
  REQUIRE(found->has_value());
  return **found;
}

std::vector<AuditRow> CtlFixture::audit_log() {
  SQLite::Statement query(database_->sql(), "SELECT actor, action, op_id, detail FROM audit_log ORDER BY id");
  std::vector<AuditRow> rows;
  while (query.executeStep()) {
    rows.push_back(AuditRow{query.getColumn(0).getString(), query.getColumn(1).getString(),
                            query.getColumn(2).getInt64(), query.getColumn(3).getString()});
  }
  return rows;
}

StoreDay::StoreDay() {
  db::PaymentQueue queue(database());
  const std::int64_t now = now_ms();

  settled = settle("s-settled", payment_op("s-settled", "charge", 1250), 3 * kDay + 4 * kHour);
  require_ok(queue.mark_in_flight(settled, now - 3 * kDay));
  require_ok(queue.mark_succeeded(settled, "pi_settled_intent", now - 3 * kDay));

  pending = settle("s-pending", payment_op("s-pending", "charge", 2000), 2 * kHour + 30 * kMinute);
  require_ok(queue.mark_in_flight(pending, now - 2 * kHour));
  require_ok(queue.mark_retry(pending, now + kMinute, "HTTP 503: gateway down"));

  auto yen = payment_op("s-in-flight", "charge", 500);
  yen.currency = "jpy";
  in_flight = settle("s-in-flight", yen, 10 * kMinute);
  require_ok(queue.mark_in_flight(in_flight, now - 5 * kMinute));

  declined = settle("s-declined", payment_op("s-declined", "charge", 4200), kHour);
  require_ok(queue.mark_in_flight(declined, now - kHour));
  require_ok(queue.mark_declined(declined, "declined: insufficient_funds", now - kHour));

  auto capture = payment_op("s-dead", "capture", 800);
  capture.intent_id = "pi_dead_hold";
  dead = settle("s-dead", capture, 50 * kMinute);
  require_ok(queue.mark_in_flight(dead, now - 50 * kMinute));
  require_ok(queue.mark_dead(dead, "HTTP 404: no such payment_intent", now - 50 * kMinute));

  add_session("s-entry-decline");
  auto hold = payment_op("s-entry-decline", "preauth", 5000);
  hold.alert_on_failure = false;
  auto hold_id = queue.enqueue(hold, now - 40 * kMinute);
  REQUIRE(db::test::describe(hold_id) == "ok");
  entry_decline = *hold_id;
  require_ok(queue.mark_in_flight(entry_decline, now - 40 * kMinute));
  require_ok(queue.mark_declined(entry_decline, "declined: card_declined", now - 40 * kMinute));

  written_off = settle("s-written-off", payment_op("s-written-off", "charge", 300), 30 * kMinute);
  require_ok(queue.mark_in_flight(written_off, now - 30 * kMinute));
  require_ok(queue.mark_dead(written_off, "HTTP 400: parameter_invalid", now - 30 * kMinute));
  require_ok(queue.write_off(written_off, "paid at the service desk", "fixture", now - 20 * kMinute));

  require_ok(db::GateStatus(database()).set("gateway", "unreachable", now - 2 * kHour - 31 * kMinute));
}

db::NewPaymentOp payment_op(const std::string& session_id, const std::string& op, std::int64_t amount) {
  db::NewPaymentOp o;
  o.session_id = session_id;
  o.op = op;
  o.amount_minor = amount;
  o.currency = "USD";
  return o;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
  if (const char* saved = std::getenv(name_.c_str())) saved_ = saved;
  set(value);
}

ScopedEnv::~ScopedEnv() { set(saved_); }

void ScopedEnv::set(const std::optional<std::string>& value) const {
  if (value) {
    ::setenv(name_.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

std::string this_user() {
  const passwd* user = ::getpwuid(::geteuid());
  REQUIRE(user != nullptr);
  return user->pw_name;
}

}  // namespace passgate::test
