#include "tests/scenario/settlement_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "hw/line_names.hpp"

namespace passgate::scenario {

using nlohmann::json;

std::string admit_and_walk(GateHarness& gate, RigClient& rig, const std::string& shopper, const std::string& token) {
  const std::string release = hw::line_name(1, hw::LineRole::release_in);
  rig.scan(1, token);
  REQUIRE(rig.wait_level(release, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(release, false));
  const json session = find_by(gate.tracking_state().at("sessions"), "shopper", shopper);
  REQUIRE_FALSE(session.is_null());
  return session.at("session_id").get<std::string>();
}

std::int64_t collected_for(const json& ledger, const std::string& session_id) {
  const json entry = find_by(ledger.at("sessions"), "session_id", session_id);
  return entry.is_null() ? 0 : entry.at("collected").get<std::int64_t>();
}

bool wait_settled(GateHarness& gate, std::int64_t total_minor, json& ledger, std::chrono::milliseconds limit) {
  return gate.poll_until(
      [&] {
        ledger = gate.gateway_ledger();
        const json& totals = ledger.at("totals");
        const std::int64_t collected = totals.contains("usd") ? totals.at("usd").at("collected").get<std::int64_t>() : 0;
        return collected >= total_minor && gate.queue_totals().outstanding_ops == 0;
      },
      limit);
}

std::vector<db::PaymentOpRecord> payment_ops_of(const GateHarness& gate, const std::string& session_id) {
  auto database = db::Database::open(gate.database_file());
  REQUIRE(database.ok());
  db::PaymentQueue queue(**database);
  auto ops = queue.for_session(session_id);
  REQUIRE(ops.ok());
  return *ops;
}

db::OutboxSummary outbox_counts(const GateHarness& gate) {
  auto database = db::Database::open(gate.database_file());
  REQUIRE(database.ok());
  db::Outbox outbox(**database);
  auto counts = outbox.counts();
  REQUIRE(counts.ok());
  return *counts;
}

void require_no_duplicates(const json& ledger) {
  INFO(ledger.dump(2));
  REQUIRE(ledger.at("duplicates").empty());
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace passgate::scenario
