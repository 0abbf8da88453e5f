// passgatectl queue retry / write-off, carried out by the running gate: only dead letters,
// each change written to the audit log with the operator who ran passgatectl (and logged
// with the connecting uid); a retried operation is sent again at once; clear errors (and
// nothing written) otherwise.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "db/payment_queue.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using passgate::db::PaymentOpState;
using passgate::test::kGateLimit;
using passgate::test::ScopedEnv;
using passgate::test::StoreDay;
using passgate::test::this_user;

namespace {

// The gate logs each payment attempt's outcome (`event`) with the operation's id.
bool gate_sent(StoreDay& day, const std::string& event, std::int64_t id) {
  return day.gated().wait_for_output("event=" + event + " op_id=" + std::to_string(id) + " ", kGateLimit);
}

}  // namespace

TEST_CASE("retry puts a dead letter back to pending, the gate resends it at once, audited with the invoking user") {
  StoreDay day;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto audit_before = day.audit_log().size();
  const auto run = day.ctl({"queue", "retry", std::to_string(day.dead)});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Payment operation " + std::to_string(day.dead) +
                                  " (capture of 8.00 USD for session s-dead) is pending again"));
  CHECK_THAT(run.output, Contains("passgated sends it again now") && Contains("same idempotency key") &&
                             Contains("no need to signal or restart passgated"));
  CHECK_THAT(run.output, !Contains("pi_"));

  const auto audit = day.audit_log();
  REQUIRE(audit.size() == audit_before + 1);
  CHECK(audit.back().action == "retry");
  CHECK(audit.back().op_id == day.dead);
  CHECK(audit.back().actor == this_user());
  CHECK(day.gated().wait_for_output("event=queue_retry op_id=" + std::to_string(day.dead) + " op=capture was=dead "
                                    "operator=" + this_user() + " uid=" + std::to_string(::geteuid()),
                                    kGateLimit));

  // Sent at once (the gateway refuses the connection): pending again, one more attempt.
  REQUIRE(gate_sent(day, "payment_retry", day.dead));
  const auto op = day.op(day.dead);
  CHECK(op.state == PaymentOpState::pending);
  CHECK(op.attempts == 2);
}

// The name comes from the client (SUDO_USER) and anyone may claim any; the uid and gid come
// from the socket and cannot be chosen: every audit row keeps both.
TEST_CASE("under sudo the audit log names the user who called sudo, beside the uid that connected") {
  StoreDay day;
  const ScopedEnv sudo("SUDO_USER", "alice");
  // --config before the action works as well as after it.
  const auto run = StoreDay::run({"queue", "--config", day.config_file(), "retry", std::to_string(day.declined)});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("as alice (via sudo)"));
  // A declined charge is retried as a new attempt under a new key (its own would bring its
  // stored decline back).
  const auto retried = day.op(day.declined);
  REQUIRE(retried.replaced_by.has_value());
  const std::int64_t attempt = *retried.replaced_by;
  CHECK_THAT(run.output, Contains("was declined: it is replaced by a new attempt, payment operation " +
                                  std::to_string(attempt) + ", under a new idempotency key"));
  CHECK_THAT(run.output, !Contains("a decline may come back unchanged"));
  CHECK(day.op(attempt).idempotency_key == "s-declined:charge:retry1");
  const auto row = day.audit_log().back();
  CHECK(row.actor == "alice (via sudo)");
  CHECK(row.op_id == day.declined);
  CHECK(row.detail == "a new attempt under a new key: operation " + std::to_string(attempt));
  CHECK(row.peer_uid == static_cast<std::int64_t>(::geteuid()));
  CHECK(row.peer_gid == static_cast<std::int64_t>(::getegid()));
  CHECK_THAT(run.output, Contains("alice (via sudo) as claimed; the connection was uid " + std::to_string(::geteuid())));
  CHECK(day.gated().wait_for_output("event=queue_retry op_id=" + std::to_string(day.declined) + " op=charge was=declined",
                                    kGateLimit));
  CHECK(day.gated().wait_for_output("next=new_attempt new_op_id=" + std::to_string(attempt), kGateLimit));
  // The new attempt is sent at once; with no payment reference stored for the session it is
  // rejected.
  CHECK(gate_sent(day, "payment_rejected", attempt));
}

TEST_CASE("write-off closes a dead letter with its reason in the audit log") {
  StoreDay day;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto run = day.ctl({"queue", "write-off", std::to_string(day.declined), "--reason", "paid cash at the desk"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("(charge of 42.00 USD for session s-declined) is written off") &&
                             Contains("reason: paid cash at the desk"));
  CHECK(day.op(day.declined).state == PaymentOpState::written_off);
  const auto audit = day.audit_log();
  CHECK(audit.back().action == "write_off");
  CHECK(audit.back().op_id == day.declined);
  CHECK(audit.back().actor == this_user());
  CHECK(audit.back().detail == "paid cash at the desk");
  CHECK(day.gated().wait_for_output("event=queue_write_off op_id=" + std::to_string(day.declined), kGateLimit));
  // No longer a dead letter: the listing counts one.
  CHECK_THAT(day.ctl({"queue"}).output, Contains("; 1 dead letter(s)"));
}

TEST_CASE("the actions answer in JSON too") {
  StoreDay day;
  const auto run = day.ctl({"queue", "write-off", std::to_string(day.dead), "--reason", "hold expired", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto reply = nlohmann::json::parse(run.output);
  CHECK(reply.at("operation").at("id") == day.dead);
  CHECK(reply.at("operation").at("state") == "dead");
  CHECK(reply.at("operation").at("amount_minor") == 800);
  CHECK(reply.at("reason") == "hold expired");
  CHECK_FALSE(reply.at("operation").contains("intent_id"));
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

TEST_CASE("a write-off needs a reason that says something, and an id that is a number") {
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

  const auto run = day.ctl({"queue", "retry", "twelve"});
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.output, Contains("twelve"));
}
