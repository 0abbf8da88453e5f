// passgatectl sessions [--all] [--limit N] [--json]: the gate's open sessions (admitted, not
// ended), or with --all every session, newest first, as passgated answers them over its
// control socket (passgated/control_sessions.hpp). Never a token, shopper or payment
// reference.
// passgatectl sessions cancel ID --reason TEXT: the operator's word that nobody entered on
// open session ID, which the gate could not cancel itself (a cancel lost: denial_record_lost);
// passgated cancels it as an unused grant's cancel, checks that no passage was recorded on it
// and that its cart is not final, and records it in its audit log with the invoking operator
// (invoking_operator.hpp; passgated/control_sessions.hpp).
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

struct SessionsOptions {
  bool all = false;
  std::optional<int> limit;  // empty: the gate's default
  std::string session_id;
  std::string reason;
  bool passages_checked = false;
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

void print_cancelled(const json& reply, std::ostream& out) {
  const json& s = reply["session"];
  const std::string id = s.value("session_id", "");
  out << "Session " << id << " (lane " << s.value("lane", 0) << ", " << s.value("state", "") << ", group of "
      << s.value("group_size", 1) << ", admitted " << format_age_s(s["age_s"]) << " ago) is cancelled: nobody "
      << "entered on it. Recorded in the audit log as " << recorded_as(reply) << "; reason: "
      << reply.value("reason", "") << '\n'
      << "- The tracking engine is sent its cancel (passgatectl outbox follows it).\n"
      << "- Its hold: " << (s.value("hold_requested", false)
                                ? "one never sent is finished unsent; one placed (also a card tap's) is voided by "
                                  "the settlement now (passgatectl queue --all follows it). Do not void it by hand."
                                : "none was asked for.")
      << '\n'
      << "- The shopper (or the card) is no longer refused as already inside, and the session no longer keeps its "
         "payment reference's sealing key in use once its hold is voided.\n";
  if (s.contains("passages") && s["passages"].is_null()) {
    out << "Note: passgated did not count this session's passages (admitted before it counted them): if the log "
           "shows a passage on it (event=passage ... session="
        << id << "), somebody did enter.\n";
  }
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
  auto* cancel = cmd->add_subcommand("cancel", "cancel an open session nobody entered on (a cancel the gate lost)");
  cancel->add_option("ID", o->session_id, "the session's id, as passgatectl sessions lists it (or the log names it)")
      ->required();
  cancel->add_option("--reason", o->reason, "how you know nobody entered, for the audit log")->required();
  cancel->add_flag("--passages-checked", o->passages_checked,
                   "you searched the log for passages on it (needed for a session the gate did not count them "
                   "on: admitted before an upgrade)");
  cancel->callback([o, &cli] {
    cli.exit_code = ask_and_print(cli.target, json{{"cmd", "sessions.cancel"},
                                                   {"session_id", o->session_id},
                                                   {"reason", o->reason},
                                                   {"passages_checked", o->passages_checked},
                                                   {"operator", invoking_operator()}}, cli.json, print_cancelled);
  });
  cmd->callback([o, cmd, &cli] {
    if (!cmd->get_subcommands().empty()) return;  // an action ran
    cli.exit_code = run_sessions(cli, *o);
  });
}

}  // namespace passgate::ctl
