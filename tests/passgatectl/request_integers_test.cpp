// Every integer of a control request (id, lane, ms, limit) is taken only as a JSON integer
// within its range: a float, a string or a number beyond the range is refused with a message
// naming the field, and nothing changes (a client other than passgatectl may send any JSON).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/payment_queue.hpp"
#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::ask_raw;
using passgate::test::StoreDay;

namespace {

std::string refusal(const json& reply) {
  INFO(reply.dump());
  REQUIRE(reply.at("ok") == false);
  CHECK(reply.at("error").at("code") == "invalid_argument");
  return reply.at("error").at("message").get<std::string>();
}

}  // namespace

TEST_CASE("an operation id that is not a whole number is refused and nothing is written off or retried") {
  StoreDay day;
  const std::string dead = std::to_string(day.dead);
  const std::string declined = std::to_string(day.declined);
  const std::vector<std::string> ids{dead + ".9", dead + ".000001", declined + ".0", "\"" + dead + "\"", "1e300",
                                     "true", "18446744073709551616", "0", "-" + dead};
  for (const auto& id : ids) {
    INFO("id " << id);
    const auto write_off = ask_raw(day.control_socket(), R"({"cmd":"queue.write_off","reason":"x","id":)" + id + "}");
    CHECK_THAT(refusal(write_off), Contains("id must be a whole number from 1 to 9223372036854775807") &&
                                       Contains("(got "));
    CHECK_THAT(refusal(ask_raw(day.control_socket(), R"({"cmd":"queue.retry","id":)" + id + "}")),
               Contains("id must be a whole number"));
  }
  CHECK_THAT(refusal(ask_raw(day.control_socket(), R"({"cmd":"queue.retry"})")),
             Contains("id must be a whole number") && Contains("the request has none"));
  CHECK(day.op(day.dead).state == passgate::db::PaymentOpState::dead);
  CHECK(day.op(day.declined).state == passgate::db::PaymentOpState::declined);
  // A whole number still works.
  const auto done = ask_raw(day.control_socket(), R"({"cmd":"queue.write_off","reason":"x","id":)" + dead + "}");
  CHECK(done.at("ok") == true);
  CHECK(day.op(day.dead).state == passgate::db::PaymentOpState::written_off);
}

TEST_CASE("a lane number beyond int or not a whole number is refused and every lane stays in service") {
  StoreDay day;
  const std::vector<std::string> numbers{"4294967297", "1e10", "1.5", "\"1\"", "0", "-1", "2147483648", "null"};
  for (const auto& lane : numbers) {
    INFO("lane " << lane);
    const auto reply =
        ask_raw(day.control_socket(), R"({"cmd":"lane.service","in_service":false,"lane":)" + lane + "}");
    CHECK_THAT(refusal(reply), Contains("lane must be a whole number from 1 to 2147483647"));
  }
  const auto lanes = ask_raw(day.control_socket(), R"({"cmd":"lanes"})");
  for (const auto& lane : lanes.at("lanes")) CHECK(lane.at("in_service") == true);
}

TEST_CASE("a pulse length that is not a whole number of milliseconds in range is refused") {
  StoreDay day;
  const std::vector<std::string> lengths{"1e10", "200.5", "\"200\"", "0", "10001", "4294967496"};
  for (const auto& ms : lengths) {
    INFO("ms " << ms);
    const auto reply = ask_raw(day.control_socket(), R"({"cmd":"hw.pulse","line":"lane1.buzzer","ms":)" + ms + "}");
    CHECK_THAT(refusal(reply), Contains("ms must be a whole number from 1 to 10000"));
  }
}
