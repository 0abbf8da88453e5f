// passgatectl status: what the gate's database says now: sessions by state, the
// tracking-engine outbox (length, oldest message, last error). Reads the database named
// in the config while passgated runs (SQLite WAL allows one writer and many readers).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/time_format.hpp"
#include "controller/config.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"
#include "tools/passgatectl/commands.hpp"

namespace passgate::ctl {

namespace {

struct StatusOptions {
  std::string config = "/etc/passgate/passgate.toml";
  bool json = false;
  bool sessions = false;
};

int run_status(const StatusOptions& o) {
  const auto load = controller::load_config(o.config);
  if (!load.config) {
    for (const auto& p : load.problems) std::cerr << controller::format_problem(p) << '\n';
    return 1;
  }
  auto database = db::Database::open(load.config->database);
  if (!database.ok()) {
    std::cerr << "passgatectl: " << database.error().message << '\n';
    return 1;
  }
  db::SessionStore store(**database);
  db::Outbox outbox(**database);
  auto sessions = store.all();
  auto queued = outbox.size();
  auto front = outbox.front();
  if (!sessions.ok() || !queued.ok() || !front.ok()) {
    std::cerr << "passgatectl: cannot read the database "
              << load.config->database.string() << '\n';
    return 1;
  }
  std::map<std::string, int> by_state;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sessions.value()) {
    ++by_state[std::string(db::to_string(s.state))];
    list.push_back({{"session_id", s.session_id}, {"state", db::to_string(s.state)}, {"lane", s.lane},
                    {"group_size", s.group_size}, {"offline", s.offline}, {"admitted_at", s.admitted_at}});
  }
  const auto now_ms = unix_millis(std::chrono::system_clock::now());
  const auto oldest_age_s = front.value() ? (now_ms - front.value()->created_at_ms) / 1000 : 0;

  if (o.json) {
    nlohmann::json j{{"store_id", load.config->store_id},
                     {"gate_id", load.config->gate_id},
                     {"sessions_by_state", by_state},
                     {"sessions_total", sessions.value().size()},
                     {"outbox", queued.value()},
                     {"outbox_oldest_age_s", oldest_age_s}};
    if (front.value()) j["outbox_last_error"] = front.value()->last_error;
    if (o.sessions) j["sessions"] = list;
    std::cout << j.dump() << '\n';
    return 0;
  }
  std::cout << "gate " << load.config->gate_id << " of store " << load.config->store_id << '\n'
            << "sessions: " << sessions.value().size() << " in all\n";
  for (const auto& [state, n] : by_state) std::cout << "  " << state << ": " << n << '\n';
  std::cout << "tracking-engine outbox: " << queued.value() << " message(s) waiting";
  if (front.value()) {
    std::cout << ", oldest " << oldest_age_s << " s, " << front.value()->attempts << " attempt(s)";
    if (!front.value()->last_error.empty()) std::cout << ", last error: " << front.value()->last_error;
  }
  std::cout << '\n';
  if (o.sessions) {
    for (const auto& s : list) std::cout << "  " << s.dump() << '\n';
  }
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "show sessions and the tracking-engine outbox from the gate's database");
  cmd->add_option("-c,--config", options->config, "the gate's configuration file")->capture_default_str();
  cmd->add_flag("--json", options->json, "print one JSON object");
  cmd->add_flag("--sessions", options->sessions, "list every session (no payment data is ever stored in clear)");
  cmd->callback([options, &exit_code] { exit_code = run_status(*options); });
}

}  // namespace passgate::ctl
