#include "tools/passgatectl/queue_listing.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/payment_queue.hpp"
#include "tools/passgatectl/dead_letter.hpp"
#include "tools/passgatectl/display_format.hpp"

namespace passgate::ctl {

namespace {

using db::PaymentOpRecord;
using db::PaymentOpState;

std::vector<PaymentOpState> listed_states(bool all) {
  if (all) {
    return {PaymentOpState::pending,  PaymentOpState::in_flight, PaymentOpState::succeeded,
            PaymentOpState::declined, PaymentOpState::dead,      PaymentOpState::written_off};
  }
  return {PaymentOpState::pending, PaymentOpState::in_flight, PaymentOpState::declined, PaymentOpState::dead};
}

// The state as the table shows it; a final failure that needs no operator is marked so.
std::string state_label(const PaymentOpRecord& op) {
  std::string label(db::to_string(op.state));
  std::replace(label.begin(), label.end(), '_', ' ');
  if ((op.state == PaymentOpState::declined || op.state == PaymentOpState::dead) && !is_dead_letter(op))
    label += " (no alert)";
  return label;
}

nlohmann::json op_json(const PaymentOpRecord& op, std::int64_t now_ms) {
  return {{"id", op.id},
          {"session_id", op.session_id},
          {"op", op.op},
          {"amount_minor", op.amount_minor},
          {"currency", currency_code(op.currency)},
          {"state", db::to_string(op.state)},
          {"dead_letter", is_dead_letter(op)},
          {"created_at", format_time(op.created_at_ms)},
          {"age_s", age_seconds(op.created_at_ms, now_ms)},
          {"attempts", op.attempts},
          {"last_error", op.last_error}};
}

// The listed operations by state name, how many are dead letters, and what the outstanding
// ones (pending, in flight) owe by currency: one read, so the footer matches the rows.
struct Counts {
  std::map<std::string, std::int64_t> by_state;
  std::int64_t dead_letters = 0;
  std::int64_t outstanding = 0;
  std::map<std::string, std::int64_t> owed_minor;
};

Counts count(const std::vector<PaymentOpRecord>& ops, const std::vector<PaymentOpState>& listed) {
  Counts c;
  for (const PaymentOpState s : listed) c.by_state[std::string(db::to_string(s))] = 0;
  for (const auto& op : ops) {
    ++c.by_state[std::string(db::to_string(op.state))];
    if (is_dead_letter(op)) ++c.dead_letters;
    if (!is_final(op.state)) {
      ++c.outstanding;
      c.owed_minor[currency_code(op.currency)] += op.amount_minor;
    }
  }
  return c;
}

// Columns padded to their widest cell, two spaces apart; the last one is not padded.
void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

void print_human(const std::vector<PaymentOpRecord>& ops, const Counts& counts, bool all, std::int64_t now_ms,
                 std::ostream& out) {
  if (ops.empty()) {
    out << (all ? "The payment queue holds no operation.\n"
                : "The payment queue is empty: nothing pending, in flight or in the dead-letter list.\n");
  } else {
    std::vector<std::vector<std::string>> rows{
        {"ID", "SESSION", "OP", "AMOUNT", "STATE", "AGE", "ATTEMPTS", "LAST ERROR"}};
    for (const auto& op : ops) {
      rows.push_back({std::to_string(op.id), op.session_id, op.op, format_amount(op.amount_minor, op.currency),
                      state_label(op), format_age(now_ms - op.created_at_ms), std::to_string(op.attempts),
                      op.last_error});
    }
    print_table(rows, out);
    out << '\n';
  }
  const auto n = [&counts](const char* state) { return counts.by_state.at(state); };
  out << counts.outstanding << " outstanding (" << n("pending") << " pending, " << n("in_flight")
      << " in flight), owed " << format_amounts(counts.owed_minor) << "; " << counts.dead_letters
      << " dead letter(s)";
  if (all) out << "; " << n("succeeded") << " succeeded, " << n("written_off") << " written off";
  out << '\n';
  if (counts.dead_letters > 0) {
    out << "A dead letter waits for an operator: passgatectl queue retry ID, or passgatectl queue write-off ID"
           " --reason TEXT.\n";
  }
}

}  // namespace

Status print_queue(db::Database& database, const QueueListingOptions& options, std::int64_t now_ms,
                   std::ostream& out) {
  db::PaymentQueue queue(database);
  const auto states = listed_states(options.all);
  auto listed = queue.in_states(states);  // oldest (lowest id) first
  if (!listed.ok()) return listed.error();
  std::vector<PaymentOpRecord> ops;
  for (auto& op : listed.value()) {
    if (options.all || !is_final(op.state) || is_dead_letter(op)) ops.push_back(std::move(op));
  }
  const Counts counts = count(ops, states);

  if (!options.json) {
    print_human(ops, counts, options.all, now_ms, out);
    return {};
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& op : ops) list.push_back(op_json(op, now_ms));
  nlohmann::json by_state(counts.by_state);
  by_state["dead_letters"] = counts.dead_letters;
  out << nlohmann::json{{"operations", list},
                        {"counts", by_state},
                        {"outstanding", counts.outstanding},
                        {"owed_minor", counts.owed_minor}}
             .dump()
      << '\n';
  return {};
}

}  // namespace passgate::ctl
