// passgatectl queue, answered by the running gate over its control socket: what an operator
// sees of the payment queue, as a table and as JSON; never a payment reference or a
// PaymentIntent id.
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::StoreDay;

namespace {

// The table line of operation `id` (it starts with the id), or "" if it is not listed.
std::string row_of(const std::string& table, std::int64_t id) {
  const std::string start = std::to_string(id) + " ";
  for (std::size_t at = 0; at < table.size();) {
    const auto end = table.find('\n', at);
    const std::string line = table.substr(at, end - at);
    if (line.rfind(start, 0) == 0) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

json op_with_id(const json& listing, std::int64_t id) {
  const json& ops = listing.at("operations");
  const auto found = std::find_if(ops.begin(), ops.end(), [id](const json& op) { return op.at("id") == id; });
  INFO("operation " << id << " in " << listing.dump());
  REQUIRE(found != ops.end());
  return *found;
}

}  // namespace

TEST_CASE("queue lists pending and dead-letter operations with counts and the amount owed") {
  StoreDay day;
  const auto run = day.ctl({"queue"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("ID") && Contains("SESSION") && Contains("OP") && Contains("AMOUNT") &&
                             Contains("STATE") && Contains("AGE") && Contains("ATTEMPTS") && Contains("LAST ERROR"));

  CHECK_THAT(row_of(run.output, day.pending), Contains("s-pending") && Contains("charge") && Contains("20.00 USD") &&
                                                  Contains("pending") && Contains("2h 30m") &&
                                                  Contains("HTTP 503: gateway down"));
  CHECK_THAT(row_of(run.output, day.pending_yen), Contains("s-pending-yen") && Contains("500 JPY") && Contains("10m "));
  CHECK_THAT(row_of(run.output, day.declined),
             Contains("42.00 USD") && Contains("declined") && Contains("declined: insufficient_funds"));
  CHECK_THAT(row_of(run.output, day.dead), Contains("capture") && Contains("8.00 USD") && Contains("dead") &&
                                               Contains("HTTP 404: no such payment_intent"));
  // Final and needing no operator: not listed.
  CHECK(row_of(run.output, day.settled).empty());
  CHECK(row_of(run.output, day.entry_decline).empty());
  CHECK(row_of(run.output, day.written_off).empty());
  // Oldest first.
  CHECK(run.output.find(row_of(run.output, day.pending)) < run.output.find(row_of(run.output, day.dead)));

  CHECK_THAT(run.output, Contains("2 outstanding (2 pending, 0 in flight), owed 500 JPY, 20.00 USD; 2 dead letter(s)"));
  CHECK_THAT(run.output, Contains("passgatectl queue retry ID") && Contains("passgatectl queue write-off ID --reason"));
  CHECK_THAT(run.output, !Contains("pi_"));
}

TEST_CASE("queue --all adds succeeded, written-off and alert-free final operations, --limit the newest") {
  StoreDay day;
  const auto run = day.ctl({"queue", "--all"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(row_of(run.output, day.settled), Contains("12.50 USD") && Contains("succeeded") && Contains("3d 04h"));
  CHECK_THAT(row_of(run.output, day.written_off), Contains("3.00 USD") && Contains("written off"));
  CHECK_THAT(row_of(run.output, day.entry_decline), Contains("preauth") && Contains("declined (no alert)"));
  CHECK_FALSE(row_of(run.output, day.pending).empty());
  CHECK_THAT(run.output, Contains("2 dead letter(s); 1 succeeded, 1 written off"));
  CHECK_THAT(run.output, !Contains("pi_"));

  const auto limited = day.ctl({"queue", "--all", "--limit", "2"});
  INFO(limited.output);
  CHECK_THAT(limited.output, Contains("(the newest 2 of 7 shown; --limit 0 shows every one)"));
  CHECK_FALSE(row_of(limited.output, day.written_off).empty());
  CHECK(row_of(limited.output, day.settled).empty());
}

TEST_CASE("queue --json gives each operation and the totals, without intent ids") {
  StoreDay day;
  const auto run = day.ctl({"queue", "--json"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const json listing = json::parse(run.output);
  REQUIRE(listing.at("operations").size() == 4);
  const json& pending = op_with_id(listing, day.pending);
  CHECK(pending.at("session_id") == "s-pending");
  CHECK(pending.at("op") == "charge");
  CHECK(pending.at("amount_minor") == 2000);
  CHECK(pending.at("currency") == "USD");
  CHECK(pending.at("state") == "pending");
  CHECK(pending.at("dead_letter") == false);
  CHECK(pending.at("attempts") == 1);
  CHECK(pending.at("last_error") == "HTTP 503: gateway down");
  CHECK(pending.at("age_s").get<std::int64_t>() >= 9000);
  CHECK(op_with_id(listing, day.pending_yen).at("currency") == "JPY");
  CHECK(op_with_id(listing, day.declined).at("dead_letter") == true);
  CHECK(op_with_id(listing, day.dead).at("dead_letter") == true);
  CHECK(listing.at("counts") ==
        json{{"pending", 2}, {"in_flight", 0}, {"declined", 1}, {"dead", 1}, {"dead_letters", 2},
             {"quarantined_carts", 0}});
  CHECK(listing.at("outstanding") == 2);
  CHECK(listing.at("matching") == 4);
  CHECK(listing.at("owed_minor") == json{{"JPY", 500}, {"USD", 2000}});
  for (const auto& op : listing.at("operations")) CHECK_FALSE(op.contains("intent_id"));
  CHECK_THAT(run.output, !Contains("pi_"));

  const json all = json::parse(day.ctl({"queue", "--json", "--all"}).output);
  CHECK(all.at("operations").size() == 7);
  CHECK(all.at("counts").at("succeeded") == 1);
  CHECK(all.at("counts").at("written_off") == 1);
  CHECK(all.at("counts").at("declined") == 2);
  CHECK(all.at("counts").at("dead_letters") == 2);
}

TEST_CASE("an empty queue says so") {
  CtlFixture gate;
  gate.start_gate();
  const auto run = gate.ctl({"queue"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("The payment queue is empty"));
  CHECK_THAT(run.output, Contains("0 outstanding (0 pending, 0 in flight), owed none; 0 dead letter(s)"));
}
