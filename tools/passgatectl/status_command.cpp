// passgatectl status [--json]: the running gate at a glance, as passgated answers it over its
// control socket (passgated/control_status.hpp): what needs attention first, then
// identity and uptime, the fire alarm, the lanes, the tracking engine and its outbox,
// sessions, and payments (gateway, queue, dead letters, settlements).
// status --check judges it as a monitoring plugin (status_check.hpp); status --watch keeps
// showing it as it changes (status_watch.hpp).
#include <charconv>
#include <iostream>
#include <memory>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/lanes_table.hpp"
#include "tools/passgatectl/status_check.hpp"
#include "tools/passgatectl/status_watch.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

struct StatusOptions {
  bool check = false;
  bool watch = false;
  std::chrono::milliseconds interval{2000};
};

// "reachable since 2026-11-18T14:02:11.482Z (12m 40s ago)"; `unknown` explains an unknown state.
std::string reachability(const json& r, std::int64_t now_ms, const std::string& unknown) {
  const std::string state = r.value("state", "unknown");
  if (state == "unknown") return "unknown (" + unknown + ")";
  const auto since = r.value("since_ms", std::int64_t{0});
  return state + " since " + format_time(since) + " (" + format_age(now_ms - since) + " ago)";
}

void print_session_counts(const json& s, std::ostream& out) {
  out << "sessions: " << s.value("sessions_open", 0) << " open (" << s.value("sessions_open_offline", 0)
      << " admitted offline), " << s.value("sessions_total", 0) << " in all:";
  const json by_state = s.value("sessions_by_state", json::object());
  for (const auto& [state, n] : by_state.items()) out << ' ' << state << ' ' << n;
  out << " (passgatectl sessions lists the open ones)\n";
}

void print_outbox(const json& s, std::ostream& out) {
  out << "tracking-engine outbox: " << s.value("outbox", 0) << " message(s) waiting";
  if (s.value("outbox", 0) > 0) {
    out << ", oldest " << format_age_s(s["outbox_oldest_age_s"]) << ", " << s.value("outbox_attempts", 0)
        << " attempt(s)";
    if (!s.value("outbox_last_error", "").empty()) out << ", last error: " << s.value("outbox_last_error", "");
  }
  out << '\n';
}

void print_payments(const json& s, std::int64_t now_ms, std::ostream& out) {
  out << "payment gateway: "
      << reachability(s["gateway"], now_ms, "passgated has not sent a payment request yet") << '\n';
  const json& q = s["payment_queue"];
  out << "payment queue: " << q.value("outstanding", 0) << " operation(s) outstanding, owed "
      << format_amounts(q.value("owed_minor", json::object()));
  if (q.contains("owed_capped")) out << " (at least, in " << q["owed_capped"].dump() << ")";
  if (!q["oldest_age_s"].is_null()) out << ", oldest " << format_age_s(q["oldest_age_s"]);
  const auto dead_letters = q.value("dead_letters", 0);
  out << '\n' << "dead letters: " << dead_letters;
  if (dead_letters > 0) out << " (passgatectl queue lists them; an operator must retry or write off each)";
  const auto quarantined = q.value("quarantined_carts", std::int64_t{0});
  out << '\n' << "quarantined carts: " << quarantined;
  if (quarantined > 0) out << " (never charged as they came; passgatectl queue lists them for an operator)";
  out << '\n'
      << "settlements: " << s["settlements"].value("settled", 0) << " session(s) settled of "
      << s["settlements"].value("decided", 0) << " decided\n";
  // Which sealing keys the sessions not yet settled still need: an old key's file may leave
  // payments.previous_seal_key_files once its id is no longer listed.
  out << "sealing keys in use:";
  const json keys = s.value("sealing_keys_in_use", json::array());
  if (keys.empty()) out << " none (no session waits for its payment reference)";
  for (const auto& k : keys) {
    out << "\n  " << k.value("key_id", "") << (k.value("current", false) ? " (current)" : "") << ": "
        << k.value("sessions", std::int64_t{0}) << " session(s)";
    if (!k.value("configured", true)) out << ", its key is NOT configured: those sessions cannot be charged";
  }
  out << '\n';
}

// The store-wide coordination ([store]), when the gate has it.
void print_store(const json& store, std::ostream& out) {
  out << "store (etcd): " << (store.value("reachable", false) ? "answering" : "NOT answering")
      << ", fallback " << store.value("fallback", "") << "; owed: " << store.value("claims_owed", 0)
      << " claim(s), " << store.value("releases_owed", 0) << " release(s); double uses in 24 h: "
      << store.value("double_uses_24h", 0) << '\n';
  // value(): a reply without the key (an older daemon, a partial one) reads as not read yet.
  const json occupancy = store.value("occupancy", json());
  if (!occupancy.is_object()) {
    out << "store occupancy: not read yet\n";
    return;
  }
  out << "store occupancy: " << occupancy.value("inside", 0) << " inside (" << occupancy.value("entered", 0)
      << " in, " << occupancy.value("exited", 0) << " out over " << occupancy.value("arrays", 0)
      << " gate array(s)), read " << format_age_s(occupancy.value("read_s_ago", json())) << " ago\n";
}

void print_status(const json& s, std::ostream& out) {
  const std::int64_t now_ms = unix_now_ms();
  const json attention = s.value("attention", json::array());
  if (attention.empty()) {
    out << "OK: nothing needs attention\n";
  } else {
    out << "ATTENTION:\n";
    // The gate's own sentences (the fire alarm's names its cause).
    for (const auto& a : attention) out << "  - " << a.get<std::string>() << '\n';
  }
  out << '\n'
      << "gate " << s.value("gate_id", "") << " of store " << s.value("store_id", "") << ", up "
      << format_age_s(s["uptime_s"]) << " (since " << s.value("started_at", "") << ")\n"
      << "config " << s.value("config_file", "") << ", database " << s.value("database", "") << '\n'
      << "fire alarm: "
      << (s.value("fire_alarm", false) ? "ACTIVE" + fire_alarm_cause(s) + " (every lane is free in both directions)"
                                       : "off")
      << "\n\n";
  print_lanes_table(s.value("lanes", json::array()), out);
  out << '\n'
      << "tracking engine: "
      << reachability(s["tracking"], now_ms, "passgated has not sent it a request yet") << '\n';
  print_outbox(s, out);
  print_session_counts(s, out);
  if (s.contains("store")) print_store(s["store"], out);
  print_payments(s, now_ms, out);
}

int run_check(const Cli& cli) {
  auto reply = ask_gate(cli.target, json{{"cmd", "status"}});
  const CheckVerdict verdict = reply.ok() ? check_status(*reply) : check_failed(reply.error());
  if (cli.json) {
    print_json(check_json(verdict));
  } else {
    std::cout << check_line(verdict) << '\n';
  }
  return static_cast<int>(verdict.level);
}

// --interval: seconds, from 0.1 to 3600.
std::chrono::milliseconds interval_of(const std::string& text) {
  double seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || !(seconds >= 0.1 && seconds <= 3600)) {
    throw UsageError("status: --interval must be a number of seconds from 0.1 to 3600, not " + text);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

}  // namespace

void add_status_command(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "the running gate at a glance: what needs attention, lanes, backends, "
                                           "sessions and payments");
  cmd->add_flag("--check", o->check,
                "one line for a monitoring system: PASSGATE OK|WARNING|CRITICAL|UNKNOWN - reasons | perfdata, "
                "exit 0|1|2|3");
  cmd->add_flag("--watch", o->watch, "keep showing the status, again whenever it changes, until Ctrl-C");
  cmd->add_option_function<std::string>(
         "--interval", [o](const std::string& text) { o->interval = interval_of(text); },
         "with --watch: how often to ask the gate, in seconds (default 2)")
      ->option_text("SECONDS");
  cmd->callback([o, cmd, &cli] {
    if (o->check && o->watch) throw UsageError("status: --check and --watch do not go together");
    if (!o->watch && cmd->count("--interval") > 0) throw UsageError("status: --interval goes with --watch");
    if (o->check) {
      cli.exit_code = run_check(cli);
    } else if (o->watch) {
      cli.exit_code = watch_status(cli, o->interval, print_status);
    } else {
      cli.exit_code = ask_and_print(cli.target, json{{"cmd", "status"}}, cli.json, print_status);
    }
  });
}

}  // namespace passgate::ctl
