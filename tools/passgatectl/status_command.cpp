// passgatectl status: what the gate's database says now: sessions by state, the
// tracking-engine outbox (length, oldest message, last error) and payments (gateway
// reachability, the payment queue, settlements; payments_status.hpp). Reads the database
// named in the config while passgated runs (SQLite WAL allows one writer and many readers).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/time_format.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_database.hpp"
#include "tools/passgatectl/payments_status.hpp"

namespace passgate::ctl {

namespace {

struct StatusOptions {
  std::string config;
  bool json = false;
  bool sessions = false;
};

int run_status(const StatusOptions& o) {
  auto gate = open_gate_database(o.config);
  if (!gate.ok()) return report_failure(gate.error());
  const controller::GateConfig& config = gate->config;
  db::SessionStore store(*gate->database);
  db::Outbox outbox(*gate->database);
  auto sessions = store.all();
  auto queued = outbox.size();
  auto front = outbox.front();
  if (!sessions.ok() || !queued.ok() || !front.ok()) {
    return report_failure(make_error("db_error", "cannot read the database " + config.database.string()));
  }
  auto payments = read_payments_status(*gate->database);
  if (!payments.ok()) return report_failure(payments.error());
  std::map<std::string, int> by_state;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sessions.value()) {
    ++by_state[std::string(db::to_string(s.state))];
    list.push_back({{"session_id", s.session_id}, {"state", db::to_string(s.state)}, {"lane", s.lane},
                    {"group_size", s.group_size}, {"offline", s.offline}, {"admitted_at", s.admitted_at}});
  }
  const auto now_ms = unix_millis(std::chrono::system_clock::now());
  const auto oldest_age_s = front.value() ? age_seconds(front.value()->created_at_ms, now_ms) : 0;

  if (o.json) {
    nlohmann::json j{{"store_id", config.store_id},
                     {"gate_id", config.gate_id},
                     {"sessions_by_state", by_state},
                     {"sessions_total", sessions.value().size()},
                     {"outbox", queued.value()},
                     {"outbox_oldest_age_s", oldest_age_s}};
    if (front.value()) j["outbox_last_error"] = front.value()->last_error;
    add_payments_json(payments.value(), now_ms, j);
    if (o.sessions) j["sessions"] = list;
    std::cout << j.dump() << '\n';
    return 0;
  }
  std::cout << "gate " << config.gate_id << " of store " << config.store_id << '\n'
            << "sessions: " << sessions.value().size() << " in all\n";
  for (const auto& [state, n] : by_state) std::cout << "  " << state << ": " << n << '\n';
  std::cout << "tracking-engine outbox: " << queued.value() << " message(s) waiting";
  if (front.value()) {
    std::cout << ", oldest " << oldest_age_s << " s, " << front.value()->attempts << " attempt(s)";
    if (!front.value()->last_error.empty()) std::cout << ", last error: " << front.value()->last_error;
  }
  std::cout << '\n';
  print_payments(payments.value(), now_ms, std::cout);
  if (o.sessions) {
    for (const auto& s : list) std::cout << "  " << s.dump() << '\n';
  }
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status",
                                 "show sessions, the tracking-engine outbox and payments from the gate's database");
  add_config_option(*cmd, options->config);
  cmd->add_flag("--json", options->json, "print one JSON object");
  cmd->add_flag("--sessions", options->sessions, "list every session (no payment data is ever stored in clear)");
  cmd->callback([options, &exit_code] { exit_code = run_status(*options); });
}

}  // namespace passgate::ctl
