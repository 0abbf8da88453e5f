// Scenario tests: no token, key or payment reference is ever logged. The real passgated logs
// at level debug while the real simulators take it through admissions (valid, expired,
// malformed, forged and replayed tokens), passages both ways, and settlement: charges,
// holds captured and voided, declines at entry and at exit, and a gateway outage. Then its
// whole log (standard error) holds none of: the raw token texts, their claims or signature
// segments, the gateway API key, the payment sealing key (raw, hex, base64), the customer,
// payment method and PaymentIntent ids, the idempotency keys. And every line is structured:
// `ts=... level=... event=...`.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "common/log_fields.hpp"
#include "crypto/base64url.hpp"
#include "hw/line_names.hpp"
#include "tests/scenario/settlement_support.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

std::string hex(std::string_view bytes, const char* format) {
  std::string out;
  for (const char c : bytes) {
    char two[3];
    std::snprintf(two, sizeof two, format, static_cast<unsigned>(static_cast<unsigned char>(c)));
    out.append(two);
  }
  return out;
}

// What must never appear in the log, each with a name for the failure message.
class Secrets {
 public:
  void add(std::string name, std::string text) {
    if (!text.empty()) list_.emplace_back(std::move(name), std::move(text));
  }
  // A token, and its claims and signature segments on their own.
  void add_token(const std::string& name, const std::string& token) {
    add(name, token);
    const auto first = token.find('.');
    const auto last = token.rfind('.');
    if (first == std::string::npos) return;
    add(name + " claims", token.substr(first + 1, last == first ? std::string::npos : last - first - 1));
    if (last != first) add(name + " signature", token.substr(last + 1));
  }
  // Key bytes as they are and as a log might spell them.
  void add_key(const std::string& name, const std::string& bytes) {
    add(name, bytes);
    add(name + " (hex)", hex(bytes, "%02x"));
    add(name + " (HEX)", hex(bytes, "%02X"));
    std::string base64 = crypto::encode_base64url(bytes);
    add(name + " (base64url)", base64);
    for (char& c : base64) c = c == '-' ? '+' : c == '_' ? '/' : c;
    add(name + " (base64)", base64);
  }
  // Every PaymentIntent the gateway made, and the idempotency keys of every session it saw.
  void add_ledger(const json& ledger) {
    for (const auto& intent : ledger.at("intents")) add("PaymentIntent id", intent.at("id").get<std::string>());
    for (const auto& session : ledger.at("sessions")) add_idempotency_keys(session.at("session_id").get<std::string>());
  }
  void add_idempotency_keys(const std::string& session_id) {
    for (const char* op : {"preauth", "charge", "capture", "void"}) add("idempotency key", session_id + ":" + op);
  }

  void require_none_in(const std::string& log) const {
    for (const auto& [name, text] : list_) {
      INFO(name << ": " << text);
      CHECK(log.find(text) == std::string::npos);
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> list_;
};

// The gate's own secrets, read from the files the harness gave it.
void add_gate_keys(const GateHarness& gate, Secrets& secrets) {
  std::string api_key = file_bytes(gate.dir() / "gateway.key");
  while (!api_key.empty() && (api_key.back() == '\n' || api_key.back() == '\r')) api_key.pop_back();
  secrets.add("gateway API key", api_key);
  secrets.add_key("payment sealing key", file_bytes(gate.dir() / "seal.key"));
}

// A token for `shopper` paying as `customer` with `payment_method`, remembered as a secret.
std::string paying_token(GateHarness& gate, Secrets& secrets, const std::string& shopper, const std::string& customer,
                         const std::string& payment_method) {
  sim::TokenSpec spec = gate.spec_for(shopper);
  spec.customer = customer;
  spec.payment_method = payment_method;
  const std::string token = sim::mint_token(gate.issuer_key(), spec);
  secrets.add_token("token of " + shopper, token);
  secrets.add("customer id", customer);
  secrets.add("payment method id", payment_method);
  return token;
}

bool logged(GateHarness& gate, const std::string& text) {
  return gate.poll_until([&] { return gate.gated().output().find(text) != std::string::npos; });
}

// Every line is `ts=... level=... event=...`.
void require_structured(const std::string& log) {
  std::istringstream lines(log);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    INFO(line);
    const auto fields = parse_log_fields(line);
    REQUIRE(fields.size() >= 3);
    CHECK(fields[0].key == "ts");
    CHECK(fields[1].key == "level");
    CHECK(fields[2].key == "event");
  }
  CHECK(count > 0);
}

// Stops the gate and checks everything it logged, its last lines included.
void require_clean_log(GateHarness& gate, const Secrets& secrets) {
  gate.gated().signal(SIGTERM);
  REQUIRE(gate.gated().wait_exit(kStartLimit) == 0);
  const std::string log = gate.gated().output();
  INFO("passgated logged:\n" << log);
  REQUIRE(log.find("level=debug") != std::string::npos);  // the debug lines are in
  secrets.require_none_in(log);
  require_structured(log);
}

TEST_CASE("nothing secret is logged through admissions, passages, exit charges, a decline and an outage",
          "[scenario]") {
  GateHarness gate(GateOptions{.log_level = "debug"});
  RigClient rig(gate);
  rig.connect_ready();
  Secrets secrets;
  add_gate_keys(gate, secrets);

  const std::string alice_token = paying_token(gate, secrets, "shp_alice", "cus_LogSecretAlice", "pm_card_visa");
  const std::string alice = admit_and_walk(gate, rig, "shp_alice", alice_token);
  const std::string frank = admit_and_walk(
      gate, rig, "shp_frank",
      paying_token(gate, secrets, "shp_frank", "cus_LogSecretFrank", "pm_card_chargeDeclinedInsufficientFunds"));

  // Refused tokens, on lane 2.
  for (const auto& [flaw, reason] : {std::pair{sim::TokenFlaw::expired, "expired"},
                                     {sim::TokenFlaw::malformed, "malformed"},
                                     {sim::TokenFlaw::forged, "bad_signature"}}) {
    const std::string token = gate.mint("shp_mallory", flaw);
    secrets.add_token(std::string("token with flaw ") + reason, token);
    rig.scan(2, token);
    REQUIRE(rig.wait_display(2, reason));
    CHECK(logged(gate, std::string("event=admission_denied lane=2 reason=") + reason));
  }
  rig.scan(2, alice_token);
  REQUIRE(rig.wait_display(2, "replayed"));

  rig.walk_out(kExitLane);
  CHECK(logged(gate, "event=passage lane=3 direction=out kind=exit"));

  // Carts settled while the gateway is down, sent when it is back: one charge, one decline.
  gate.set_gateway_fault("unreachable");
  gate.finalize_cart(alice, 1234);
  gate.finalize_cart(frank, 4200);
  REQUIRE(logged(gate, "event=gateway_unreachable"));
  gate.set_gateway_fault("none");
  json ledger;
  REQUIRE(wait_settled(gate, 1234, ledger, 30s));
  REQUIRE(gate.poll_until([&] { return gate.queue_totals().dead_letters == 1; }, 10s));
  CHECK(collected_for(ledger, alice) == 1234);
  CHECK(logged(gate, "event=payment_declined"));
  CHECK(logged(gate, "event=payment_succeeded"));

  secrets.add_ledger(gate.gateway_ledger());
  for (const auto& session : {alice, frank}) secrets.add_idempotency_keys(session);
  require_clean_log(gate, secrets);
}

TEST_CASE("nothing secret is logged with holds at entry: capture, charge and void, a declined hold, an outage",
          "[scenario]") {
  GateHarness gate(GateOptions{.hold_amount_minor = 5000, .log_level = "debug"});
  RigClient rig(gate);
  rig.connect_ready();
  Secrets secrets;
  add_gate_keys(gate, secrets);

  const std::string small = admit_and_walk(
      gate, rig, "shp_small", paying_token(gate, secrets, "shp_small", "cus_LogSecretSmall", "pm_card_visa"));
  const std::string large = admit_and_walk(
      gate, rig, "shp_large", paying_token(gate, secrets, "shp_large", "cus_LogSecretLarge", "pm_card_visa"));
  rig.scan(2, paying_token(gate, secrets, "shp_broke", "cus_LogSecretBroke", "pm_card_chargeDeclined"));
  REQUIRE(rig.wait_display(2, "payment_declined"));
  CHECK(logged(gate, "event=entry_hold_declined"));

  // The gateway down at entry: admitted within the offline risk limits, the hold sent later.
  gate.set_gateway_fault("unreachable");
  const std::string late = admit_and_walk(
      gate, rig, "shp_late", paying_token(gate, secrets, "shp_late", "cus_LogSecretLate", "pm_card_visa"));
  CHECK(logged(gate, "event=entry_hold_unknown"));
  gate.set_gateway_fault("none");

  gate.finalize_cart(small, 1200);  // captured within the hold
  gate.finalize_cart(large, 9000);  // charged, the hold voided
  gate.finalize_cart(late, 300);
  json ledger;
  REQUIRE(wait_settled(gate, 1200 + 9000 + 300, ledger, 30s));
  CHECK(collected_for(ledger, large) == 9000);
  CHECK(logged(gate, "op=capture"));
  CHECK(logged(gate, "op=void"));

  secrets.add_ledger(gate.gateway_ledger());
  for (const auto& session : {small, large, late}) secrets.add_idempotency_keys(session);
  require_clean_log(gate, secrets);
}

}  // namespace
}  // namespace passgate::scenario
