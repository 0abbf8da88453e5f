// passgatectl sessions [--all] [--limit N] [--json]: the gate's open sessions (admitted, not
// ended), or with --all every session, newest first, as passgated answers them over its
// control socket (passgated/control_sessions.hpp). Never a token, shopper or payment
// reference.
#include <iostream>
#include <memory>
#include <optional>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

struct SessionsOptions {
  bool all = false;
  std::optional<int> limit;  // empty: the gate's default
};

std::string session_state_label(const json& s) {
  std::string label = s.value("state", "");
  if (s.value("refused", false)) label += " (refused by the tracking engine)";
  if (s.value("ended", false)) label += " (ended)";
  return label;
}

void print_sessions(const json& reply, std::ostream& out) {
  const bool all = reply.value("all", false);
  const json sessions = reply.value("sessions", json::array());
  const auto matching = reply.value("matching", std::int64_t{0});
  if (sessions.empty()) {
    out << (all ? "The gate has no session yet.\n" : "No open session: nobody admitted is in the store.\n");
    return;
  }
  TableRows rows{{"SESSION", "LANE", "STATE", "GROUP", "OFFLINE", "ADMITTED AT", "AGE"}};
  for (const auto& s : sessions) {
    rows.push_back({s.value("session_id", ""), std::to_string(s.value("lane", 0)), session_state_label(s),
                    std::to_string(s.value("group_size", 1)), s.value("offline", false) ? "yes" : "no",
                    s.value("admitted_at", ""), format_age_s(s["age_s"])});
  }
  print_table(rows, out);
  out << '\n' << matching << (all ? " session(s) in all" : " open session(s)");
  if (static_cast<std::int64_t>(sessions.size()) < matching) {
    out << "; the newest " << sessions.size() << " shown (--limit 0 shows every one)";
  }
  out << '\n';
}

int run_sessions(const Cli& cli, const SessionsOptions& o) {
  json request{{"cmd", "sessions"}, {"all", o.all}};
  if (o.limit) request["limit"] = *o.limit;
  return ask_and_print(cli.target, request, cli.json, print_sessions);
}

}  // namespace

void add_sessions_command(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<SessionsOptions>();
  auto* cmd = app.add_subcommand("sessions", "list the open sessions: id, lane, state, group size, age (no tokens, "
                                             "no payment data)");
  cmd->add_flag("--all", o->all, "every session, also those that ended, were denied or cancelled");
  cmd->add_option("--limit", o->limit, "at most this many, the newest (default 50; 0: every one)")
      ->option_text("N")
      ->check(limit_check());
  cmd->callback([o, &cli] { cli.exit_code = run_sessions(cli, *o); });
}

}  // namespace passgate::ctl
