// A held card's capture_before is believed only as a Unix time in seconds after the hold was
// made and at most 31 days after it (drivers/terminal_objects.hpp, implausible_capture_before):
// the settlement watches the hold until then. One in milliseconds, far in the future or before
// the hold makes the read unverified, naming the value (never a reference); the card-entry
// runner then denies the entry as for any answer it cannot believe.
#include <catch2/catch.hpp>

#include <cstdint>

#include "tests/terminal_client/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

constexpr std::int64_t kCreated = 1'796'000'000;  // when the hold's charge was made (the tap)

// The held PaymentIntent read at step 6, its charge created at the tap and holding until
// `capture_before`; `charge_dated` false: only the PaymentIntent is dated (the simulator).
json held_until(const json& capture_before, bool charge_dated = true) {
  json intent = term_intent("requires_capture");
  intent["created"] = kCreated - 600;
  if (charge_dated) intent["latest_charge"]["created"] = kCreated;
  intent["latest_charge"]["payment_method_details"]["card_present"]["capture_before"] = capture_before;
  return intent;
}

}  // namespace

TEST_CASE("a held card's capture_before within 31 days after the hold is taken as it is") {
  ScriptedTerminal api;
  const std::int64_t two_days = kCreated + 2 * 24 * 3600;
  const bool charge_dated = GENERATE(true, false);
  const auto held = api.outcome_of(TerminalStep::read_intent, 200, held_until(two_days, charge_dated).dump());
  CHECK(held.kind == TerminalOutcomeKind::succeeded);
  REQUIRE(held.card);
  CHECK(held.card->capture_before == two_days);
}

TEST_CASE("a held card's capture_before that no hold can have makes the read unverified, naming it") {
  struct Bad {
    json capture_before;
    bool charge_dated;
    std::string said;
  };
  const Bad bad = GENERATE(values<Bad>({
      {kCreated * 1000 + 172'800'000, true, "is not a Unix time in seconds"},  // milliseconds
      {kCreated + 32 * 24 * 3600, true, "more than 31 days after the hold was made (its charge was created at"},
      {kCreated + 32 * 24 * 3600, false, "(the PaymentIntent was created at 1795999400)"},
      {kCreated - 1, true, "is not after the hold was made: its charge was created at 1796000000"},
      {std::int64_t{9'300'000'000'000'000}, true, "is not a Unix time in seconds"},
      {std::int64_t{-5}, false, "is not a Unix time in seconds"},
  }));
  ScriptedTerminal api;
  const auto read = api.outcome_of(TerminalStep::read_intent, 200, held_until(bad.capture_before, bad.charge_dated).dump());
  INFO(read.error);
  CHECK(read.kind == TerminalOutcomeKind::unverified);
  CHECK_THAT(read.error, Contains("requires_capture but its card's capture_before " + bad.capture_before.dump()) &&
                             Contains(bad.said));
  for (const std::string* secret : {&kTermCustomer, &kTermIntent, &kFingerprint, &kGeneratedCard})
    CHECK_THAT(read.error, !Contains(*secret));
}

TEST_CASE("capture_before is held to the hold only while it is held: a canceled hold read later is believed") {
  ScriptedTerminal api;
  json canceled = held_until(kCreated * 1000);
  canceled["status"] = "canceled";
  canceled["amount_capturable"] = 0;
  const auto read = api.outcome_of(TerminalStep::read_intent, 200, canceled.dump());
  CHECK(read.kind == TerminalOutcomeKind::succeeded);
  CHECK(read.intent_status == "canceled");
}
