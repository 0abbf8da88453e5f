// Helpers for the settlement scenario tests: admitting a shopper through the rig and reading
// the gateway simulator's ledger for reconciliation, and reading the gate's files.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {

// Scans `token` on lane 1, walks the shopper in and returns the session id the tracking
// simulator opened for `shopper`.
std::string admit_and_walk(GateHarness& gate, RigClient& rig, const std::string& shopper, const std::string& token);

// What the ledger collected for `session_id` (0 if it has no entry).
std::int64_t collected_for(const nlohmann::json& ledger, const std::string& session_id);

// Waits until the gateway has collected `total_minor` USD in all and the gate's queue has
// nothing outstanding; the last ledger is left in `ledger`.
bool wait_settled(GateHarness& gate, std::int64_t total_minor, nlohmann::json& ledger, std::chrono::milliseconds limit);

// The gate's payment operations for `session_id`, read from its database file.
std::vector<db::PaymentOpRecord> payment_ops_of(const GateHarness& gate, const std::string& session_id);

// The gate's outbox to the tracking engine (waiting, dead letters), read from its database file.
db::OutboxSummary outbox_counts(const GateHarness& gate);

// Every byte of `file` (empty if it cannot be read), to search the gate's files for secrets.
std::string file_bytes(const std::filesystem::path& file);

// The ledger shows no session charged twice (the simulator's duplicate detection).
void require_no_duplicates(const nlohmann::json& ledger);

}  // namespace passgate::scenario
