// passgatectl sessions cancel ID --reason TEXT, carried out by the running gate: an open
// session nobody entered on is cancelled (the tracking engine's cancel queued, the shopper no
// longer inside), audited with the invoking operator and logged with the connecting uid;
// clear refusals, exit 1 and nothing written for an unknown session, one not open, one with
// a passage recorded and one whose cart is final; exit 2 without a reason.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "db/outbox.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using passgate::test::kGateLimit;
using passgate::test::ScopedEnv;
using passgate::test::StoreDay;
using passgate::test::this_user;

namespace {

std::string stored_state(StoreDay& day, const std::string& id) {
  SQLite::Statement query(day.database().sql(), "SELECT state FROM sessions WHERE session_id = ?1");
  query.bind(1, id);
  REQUIRE(query.executeStep());
  return query.getColumn(0).getString();
}

std::int64_t rows(StoreDay& day, const std::string& sql) { return day.database().sql().execAndGet(sql).getInt64(); }

}  // namespace

TEST_CASE("sessions cancel ends an open session nobody entered on, audited with the invoking user") {
  StoreDay day;
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto run = day.ctl({"sessions", "cancel", "s-shopping-1", "--reason", "denial_record_lost, no passage logged"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("Session s-shopping-1 (lane 1, open, group of 3, admitted 5m") &&
                             Contains("is cancelled: nobody entered on it"));
  CHECK_THAT(run.output, Contains("reason: denial_record_lost, no passage logged"));
  CHECK_THAT(run.output, Contains("no longer refused as already inside"));
  CHECK(stored_state(day, "s-shopping-1") == "cancelled");
  CHECK(rows(day, "SELECT COUNT(*) FROM outbox WHERE kind = 'cancel' AND session_id = 's-shopping-1'") == 1);
  const auto audit = day.audit_log();
  REQUIRE_FALSE(audit.empty());
  CHECK(audit.back().action == "session_cancel");
  CHECK(audit.back().actor == this_user());
  CHECK(audit.back().peer_uid == static_cast<std::int64_t>(::geteuid()));
  CHECK_THAT(audit.back().detail, Contains("session s-shopping-1") && Contains("denial_record_lost"));
  CHECK(day.gated().wait_for_output("event=session_cancelled session=s-shopping-1 reason=operator was=open passages=0 "
                                    "hold=none operator=" + this_user() + " uid=" + std::to_string(::geteuid()),
                                    kGateLimit));
  // No longer open: the listing leaves it out.
  CHECK_THAT(day.ctl({"sessions"}).output, !Contains("s-shopping-1") && Contains("\n2 open session(s)\n"));
}

TEST_CASE("sessions cancel answers in JSON too") {
  StoreDay day;
  const auto run = day.ctl({"sessions", "cancel", "s-shopping-2", "--reason", "checked", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto reply = nlohmann::json::parse(run.output);
  CHECK(reply.at("session").at("session_id") == "s-shopping-2");
  CHECK(reply.at("session").at("state") == "open_offline");
  CHECK(reply.at("session").at("passages") == 0);
  CHECK(reply.at("session").at("hold_requested") == false);
  CHECK(reply.at("reason") == "checked");
}

TEST_CASE("sessions cancel refuses a session unknown, not open, entered on or with a final cart, nothing written") {
  StoreDay day;
  // A passage through the lane on s-shopping-2: somebody entered on it.
  REQUIRE(passgate::db::Outbox(day.database())
              .enqueue(passgate::db::OutboxMessage{"passage", "/v1/passages", "{}", "s-shopping-2"}, day.now_ms())
              .ok());
  const auto audit_before = day.audit_log().size();
  struct Case {
    std::string id;
    std::string why;
  };
  for (const Case& c : {Case{"s-nobody", "no session s-nobody in this gate's database"},
                        Case{"s-denied", "it is already denied"},
                        Case{"s-shopping-2", "1 passage(s) through the lane were recorded on it: somebody entered"},
                        Case{"s-settled", "its cart is final"}}) {
    INFO(c.id);
    const auto run = day.ctl({"sessions", "cancel", c.id, "--reason", "checked"});
    INFO(run.output);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.output, Contains(c.why));
  }
  CHECK(day.audit_log().size() == audit_before);
  CHECK(stored_state(day, "s-shopping-2") == "open_offline");
  CHECK(rows(day, "SELECT COUNT(*) FROM outbox WHERE kind = 'cancel'") == 0);

  const auto blank = day.ctl({"sessions", "cancel", "s-shopping-1", "--reason", " "});
  CHECK(blank.exit_code == 1);
  CHECK_THAT(blank.output, Contains("a cancel needs a reason"));
  const auto no_reason = day.ctl({"sessions", "cancel", "s-shopping-1"});
  CHECK(no_reason.exit_code == 2);
  CHECK_THAT(no_reason.output, Contains("--reason"));
  CHECK(stored_state(day, "s-shopping-1") == "open");
}

TEST_CASE("status shows how many session-ending writes wait for the database: none on a healthy gate") {
  StoreDay day;
  const auto run = day.ctl({"status", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto status = nlohmann::json::parse(run.output);
  CHECK(status.at("session_end_writes_waiting") == 0);
  CHECK_THAT(status.at("attention").dump(), !Contains("session-ending write"));
}
