#include "tests/passgatectl/ctl_fixture.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "db/gate_status.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/minimal_gate_config.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::test {

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void require_ok(const Status& done) { REQUIRE(db::test::describe(done) == "ok"); }

}  // namespace

RefusingPort::RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  REQUIRE(fd_ >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port_ = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort() { ::close(fd_); }

CtlFixture::CtlFixture(std::chrono::milliseconds request_timeout, const std::string& control_keys)
    : now_ms_(unix_millis(std::chrono::system_clock::now())) {
  write_file(dir_ / "gate.toml", minimal_gate_config("http://127.0.0.1:" + std::to_string(backends_.port()),
                                                     "[control]\nsocket = \"control.sock\"\nrequest_timeout_ms = " +
                                                         std::to_string(request_timeout.count()) + "\n" +
                                                         control_keys + "\n[metrics]\nenabled = false\n"));
  auto key = sim::IssuerKey::generate(sim::IssuerAlg::es256, "key-a");
  REQUIRE(key.ok());
  REQUIRE(sim::save_jwks(dir_ / "keys.jwks.json", {&*key}).ok());
  write_gate_secrets(dir_.path());
  fs::create_directory(dir_ / "db");
  database_ = db::test::open_or_fail(database_file());
}

CtlFixture::~CtlFixture() {
  // The gate first: its socket goes with it.
  gated_.reset();
}

void CtlFixture::start_gate() {
  REQUIRE(gated_ == nullptr);
  gated_ = std::make_unique<ChildProcess>(PASSGATED, std::vector<std::string>{"--config", config_file()});
  const bool ready = gated_->wait_for_output("event=ready ", kGateLimit);
  INFO("passgated said:\n" << gated_->output());
  REQUIRE(ready);
}

CtlRun CtlFixture::ctl(std::vector<std::string> args) const {
  args.push_back("--config");
  args.push_back(config_file());
  return run(std::move(args));
}

CtlRun CtlFixture::run(std::vector<std::string> args, const std::string& program) {
  ChildProcess ctl(program, std::move(args));
  const auto status = ctl.wait_exit(kGateLimit);
  INFO("passgatectl said:\n" << ctl.output());
  REQUIRE(status.has_value());
  return CtlRun{*status, ctl.output()};
}

void CtlFixture::add_session(const std::string& session_id, std::int64_t age_ms, int lane, int group_size,
                             bool offline) {
  db::SessionStore sessions(*database_);
  auto record = db::test::session(session_id, "jti-" + session_id, now_ms_ - age_ms);
  record.lane = lane;
  record.group_size = group_size;
  record.offline = offline;
  require_ok(db::test::begin_session(sessions, record));
  if (offline) {
    require_ok(sessions.mark_open_offline(session_id, {"session_open", "/v1/sessions", record.open_request, session_id},
                                          now_ms_ - age_ms));
  } else {
    require_ok(sessions.mark_open(session_id));
  }
}

std::int64_t CtlFixture::settle(const std::string& session_id, db::NewPaymentOp op, std::int64_t age_ms) {
  add_session(session_id, age_ms);
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
  SQLite::Statement query(database_->sql(),
                          "SELECT actor, action, op_id, detail, peer_uid, peer_gid FROM audit_log ORDER BY id");
  std::vector<AuditRow> rows;
  const auto id_at = [&](int column) -> std::optional<std::int64_t> {
    if (query.getColumn(column).isNull()) return std::nullopt;
    return query.getColumn(column).getInt64();
  };
  while (query.executeStep()) {
    rows.push_back(AuditRow{query.getColumn(0).getString(), query.getColumn(1).getString(),
                            query.getColumn(2).getInt64(), query.getColumn(3).getString(), id_at(4), id_at(5)});
  }
  return rows;
}

StoreDay::StoreDay() {
  db::PaymentQueue queue(database());
  const std::int64_t now = now_ms();

  settled = settle("s-settled", payment_op("s-settled", "charge", 1250), 3 * kDay + 4 * kHour);
  require_ok(queue.mark_in_flight(settled, now - 3 * kDay));
  require_ok(queue.mark_succeeded(settled, "pi_settled_intent", now - 3 * kDay));

  // Pending, not due before the test ends: the gate leaves them alone.
  pending = settle("s-pending", payment_op("s-pending", "charge", 2000), 2 * kHour + 30 * kMinute);
  require_ok(queue.mark_in_flight(pending, now - 2 * kHour));
  require_ok(queue.mark_retry(pending, now + kHour, "HTTP 503: gateway down"));

  auto yen = payment_op("s-pending-yen", "charge", 500);
  yen.currency = "jpy";
  pending_yen = settle("s-pending-yen", yen, 10 * kMinute);
  require_ok(queue.mark_in_flight(pending_yen, now - 5 * kMinute));
  require_ok(queue.mark_retry(pending_yen, now + kHour, "HTTP 502: bad gateway"));

  declined = settle("s-declined", payment_op("s-declined", "charge", 4200), kHour);
  require_ok(queue.mark_in_flight(declined, now - kHour));
  require_ok(queue.mark_declined(declined, "declined: insufficient_funds", now - kHour));

  auto capture = payment_op("s-dead", "capture", 800);
  capture.intent_id = "pi_dead_hold";
  dead = settle("s-dead", capture, 50 * kMinute);
  require_ok(queue.mark_in_flight(dead, now - 50 * kMinute));
  require_ok(queue.mark_dead(dead, "HTTP 404: no such payment_intent", now - 50 * kMinute));

  add_session("s-entry-decline", 40 * kMinute, 1, 2);
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

  add_session("s-shopping-1", 5 * kMinute, 1, 3);
  add_session("s-shopping-2", kMinute, 1, 1, true);
  db::SessionStore sessions(database());
  require_ok(db::test::begin_session(sessions, db::test::session("s-denied", "jti-s-denied", now - 20 * kMinute)));
  require_ok(sessions.mark_denied("s-denied", "shopper_blocked", false, now - 20 * kMinute));

  require_ok(db::GateStatus(database()).set("gateway", "unreachable", now - 2 * kHour - 31 * kMinute));
  start_gate();
  // Its first request to the tracking engine (the outbox, the carts feed) has failed.
  REQUIRE(gated().wait_for_output("event=tracking_unreachable", kGateLimit));
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
