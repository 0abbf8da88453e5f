// passgatectl queue retry / write-off: only dead letters, each change written to the audit
// log with the operator who ran it; clear errors (and nothing written) otherwise.
#include <catch2/catch.hpp>

#include "db/payment_queue.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using passgate::db::PaymentOpState;
using passgate::test::ScopedEnv;
using passgate::test::StoreDay;
using passgate::test::this_user;

TEST_CASE("retry puts a dead letter back to pending for the daemon's drainer, audited with the invoking user") {
  StoreDay day;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto audit_before = day.audit_log().size();
  const auto run = day.ctl({"queue", "retry", std::to_string(day.dead)});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Payment operation " + std::to_string(day.dead) +
                                  " (capture of 8.00 USD for session s-dead) is pending again"));
  CHECK_THAT(run.output, Contains("every second") && Contains("same idempotency key") &&
                             Contains("no need to signal or restart passgated"));
  CHECK_THAT(run.output, !Contains("pi_"));

  const auto op = day.op(day.dead);
  CHECK(op.state == PaymentOpState::pending);
  CHECK(op.next_attempt_at_ms >= day.now_ms());
  const auto audit = day.audit_log();
  REQUIRE(audit.size() == audit_before + 1);
  CHECK(audit.back().action == "retry");
  CHECK(audit.back().op_id == day.dead);
  CHECK(audit.back().actor == this_user());
}

TEST_CASE("under sudo the audit log names the user who called sudo") {
  StoreDay day;
  const ScopedEnv sudo("SUDO_USER", "alice");
  // --config before the action works as well as after it.
  const auto run = StoreDay::run({"queue", "--config", day.config_file(), "retry", std::to_string(day.declined)});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("as alice (via sudo)"));
  // A decline is resent with its same key: the gateway may replay it.
  CHECK_THAT(run.output, Contains("a decline may come back unchanged"));
  CHECK(day.op(day.declined).state == PaymentOpState::pending);
  CHECK(day.audit_log().back().actor == "alice (via sudo)");
}

TEST_CASE("write-off closes a dead letter with its reason in the audit log") {
  StoreDay day;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto run = day.ctl({"queue", "write-off", std::to_string(day.declined), "--reason", "paid cash at the desk"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("(charge of 42.00 USD for session s-declined) is written off") &&
                             Contains("reason: paid cash at the desk"));
  const auto op = day.op(day.declined);
  CHECK(op.state == PaymentOpState::written_off);
  const auto audit = day.audit_log();
  CHECK(audit.back().action == "write_off");
  CHECK(audit.back().op_id == day.declined);
  CHECK(audit.back().actor == this_user());
  CHECK(audit.back().detail == "paid cash at the desk");
  // No longer a dead letter: the listing counts one.
  CHECK_THAT(day.ctl({"queue"}).output, Contains("; 1 dead letter(s)"));
}

TEST_CASE("retry and write-off refuse what is not a dead letter, with a non-zero exit and nothing written") {
  StoreDay day;
  const auto audit_before = day.audit_log();
  struct Case {
    std::int64_t id;
    std::string why;
  };
  for (const Case& c : {Case{9999, "no payment operation 9999"},
                        Case{day.pending, "it is pending: passgated sends it by itself"},
                        Case{day.in_flight, "it is in flight"},
                        Case{day.settled, "it succeeded"},
                        Case{day.written_off, "it is already written off"},
                        Case{day.entry_decline, "without an alert"}}) {
    for (const auto& action :
         {std::vector<std::string>{"queue", "retry", std::to_string(c.id)},
          std::vector<std::string>{"queue", "write-off", std::to_string(c.id), "--reason", "paid at the desk"}}) {
      const auto run = day.ctl(action);
      INFO(run.output);
      CHECK(run.exit_code == 1);
      CHECK_THAT(run.output, Contains("passgatectl: ") && Contains(c.why));
    }
  }
  CHECK(day.op(day.pending).state == PaymentOpState::pending);
  CHECK(day.op(day.entry_decline).state == PaymentOpState::declined);
  CHECK(day.audit_log().size() == audit_before.size());
}

TEST_CASE("a write-off needs a reason that says something") {
  StoreDay day;
  const auto audit_before = day.audit_log();
  const auto missing = day.ctl({"queue", "write-off", std::to_string(day.dead)});
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.output, Contains("--reason"));
  const auto blank = day.ctl({"queue", "write-off", std::to_string(day.dead), "--reason", "  "});
  CHECK(blank.exit_code == 1);
  CHECK_THAT(blank.output, Contains("a write-off needs a reason: --reason TEXT"));
  CHECK(day.op(day.dead).state == PaymentOpState::dead);
  CHECK(day.audit_log().size() == audit_before.size());
}

TEST_CASE("an id that is not a number is refused") {
  StoreDay day;
  const auto run = day.ctl({"queue", "retry", "twelve"});
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.output, Contains("twelve"));
}
