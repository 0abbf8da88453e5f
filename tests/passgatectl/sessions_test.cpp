// passgatectl sessions: the open sessions (admitted, not ended), or every one with --all,
// newest first and limited, as a table and as JSON; never a token, shopper or payment data.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using passgate::test::StoreDay;

namespace {

std::vector<std::string> ids(const json& listing) {
  std::vector<std::string> out;
  for (const auto& s : listing.at("sessions")) out.push_back(s.at("session_id").get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("sessions lists the open sessions, newest first, without tokens or payment data") {
  StoreDay day;
  const auto run = day.ctl({"sessions"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, StartsWith("SESSION          LANE  STATE         GROUP  OFFLINE  ADMITTED AT"));
  const auto at = [&run](const std::string& text) { return run.output.find(text); };
  REQUIRE(at("s-shopping-2") != std::string::npos);
  CHECK(at("s-shopping-2") < at("s-shopping-1"));
  CHECK(at("s-shopping-1") < at("s-entry-decline"));
  CHECK_THAT(run.output, Contains("s-shopping-2     1     open_offline  1      yes"));
  CHECK_THAT(run.output, Contains("s-shopping-1     1     open          3      no") && Contains("5m "));
  CHECK_THAT(run.output, Contains("\n3 open session(s)\n"));
  CHECK_THAT(run.output, !Contains("s-settled") && !Contains("s-denied"));
  CHECK_THAT(run.output, !Contains("jti-") && !Contains("shp_") && !Contains("pi_"));

  const json listing = json::parse(day.ctl({"sessions", "--json"}).output);
  CHECK(ids(listing) == std::vector<std::string>{"s-shopping-2", "s-shopping-1", "s-entry-decline"});
  CHECK(listing.at("matching") == 3);
  const json& first = listing.at("sessions").at(0);
  CHECK(first.at("state") == "open_offline");
  CHECK(first.at("offline") == true);
  CHECK(first.at("ended") == false);
  CHECK(first.at("lane") == 1);
  CHECK(first.at("group_size") == 1);
  CHECK(first.at("age_s").get<std::int64_t>() >= 60);
  for (const auto& s : listing.at("sessions")) {
    CHECK_FALSE(s.contains("token_id"));
    CHECK_FALSE(s.contains("shopper"));
  }
}

TEST_CASE("sessions --all adds ended and denied sessions, and --limit keeps the newest") {
  StoreDay day;
  const auto all = day.ctl({"sessions", "--all"});
  INFO(all.output);
  REQUIRE(all.exit_code == 0);
  CHECK_THAT(all.output, Contains("s-settled") && Contains("open (ended)") && Contains("s-denied") &&
                             Contains("denied") && Contains("\n10 session(s) in all\n"));

  const auto limited = day.ctl({"sessions", "--all", "--limit", "2"});
  INFO(limited.output);
  REQUIRE(limited.exit_code == 0);
  CHECK_THAT(limited.output, Contains("10 session(s) in all; the newest 2 shown (--limit 0 shows every one)"));
  const json listing = json::parse(day.ctl({"sessions", "--all", "--limit", "2", "--json"}).output);
  CHECK(ids(listing) == std::vector<std::string>{"s-shopping-2", "s-shopping-1"});
  CHECK(listing.at("matching") == 10);
  CHECK(json::parse(day.ctl({"sessions", "--all", "--limit", "0", "--json"}).output).at("sessions").size() == 10);

  CHECK(day.ctl({"sessions", "--limit", "-1"}).exit_code != 0);
}

// A client other than passgatectl may send any JSON: a count that is not a whole number from
// 0 to INT_MAX is refused with what is expected, never cut down to some other count.
TEST_CASE("a sessions or queue limit that is not a whole count is refused") {
  passgate::test::CtlFixture f;
  f.start_gate();
  const auto ask = [&](const std::string& request) { return passgate::test::ask_raw(f.control_socket(), request); };

  for (const char* limit : {"1.5", "-1", "1e30", "4294967296", "\"5\""}) {
    for (const char* cmd : {"sessions", "queue"}) {
      INFO(cmd << " limit " << limit);
      const json reply = ask(std::string(R"({"cmd":")") + cmd + R"(","limit":)" + limit + "}");
      CHECK(reply.dump().find("limit must be a whole number from 0 to 2147483647") != std::string::npos);
    }
  }
  CHECK(ask(R"({"cmd":"sessions","limit":2})").dump().find("limit must be") == std::string::npos);
}
