// passgatectl outbox [--limit N] [--json]: the reports waiting for the tracking engine as
// passgated answers (passgated/control_outbox.hpp): how many, the oldest, and the dead
// letters (reports the engine kept rejecting), never a report's body.
// passgatectl outbox retry ID and outbox drop ID --reason TEXT: the operator's answers to a
// dead letter, carried out by passgated and recorded in its audit log with the invoking
// operator (invoking_operator.hpp).
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

struct OutboxOptions {
  std::optional<int> limit;  // empty: the gate's default
  std::int64_t id = 0;
  std::string reason;
};

std::string outbox_session_of(const json& m) {
  const auto session = m.find("session_id");
  return session != m.end() && session->is_string() ? session->get<std::string>() : "(none)";
}

// "cancel of session <id>" / "passage of no session"
std::string describe_outbox_message(const json& m) {
  const std::string session = outbox_session_of(m);
  return m.value("kind", "") + (session == "(none)" ? " of no session" : " of session " + session);
}

void print_outbox_list(const json& reply, std::ostream& out) {
  const auto waiting = reply.value("waiting", std::int64_t{0});
  const json& oldest = reply["oldest"];
  if (waiting == 0) {
    out << "No report waits for the tracking engine.\n";
  } else if (!oldest.is_object()) {
    out << waiting << " report(s) wait behind the dead letters below (a session's reports keep their order).\n";
  } else {
    out << waiting << " report(s) wait for the tracking engine; the oldest (" << describe_outbox_message(oldest) << ", "
        << format_age_s(oldest["age_s"]) << " old, " << oldest.value("attempts", 0) << " attempt(s))";
    const std::string error = oldest.value("last_error", "");
    out << (error.empty() ? std::string(".") : ": last error " + error) << '\n';
  }
  const json dead = reply.value("dead", json::array());
  const auto dead_letters = reply.value("dead_letters", std::int64_t{0});
  if (dead_letters == 0) {
    out << "No dead letter.\n";
    return;
  }
  out << "\nDead letters (the tracking engine kept rejecting them; each holds back its session's later reports):\n";
  TableRows rows{{"ID", "KIND", "SESSION", "AGE", "ATTEMPTS", "REJECTED", "LAST ERROR"}};
  for (const auto& m : dead) {
    rows.push_back({std::to_string(m.value("id", std::int64_t{0})), m.value("kind", ""), outbox_session_of(m),
                    format_age_s(m["age_s"]), std::to_string(m.value("attempts", 0)),
                    std::to_string(m.value("rejections", 0)), m.value("last_error", "")});
  }
  print_table(rows, out);
  if (static_cast<std::int64_t>(dead.size()) < dead_letters) {
    out << "(the oldest " << dead.size() << " of " << dead_letters << " shown; --limit 0 shows every one)\n";
  }
  out << "Fix what the engine objects to (the last error), then: passgatectl outbox retry ID; or, if the engine must"
         " never get it (reported by other means), passgatectl outbox drop ID --reason TEXT.\n";
}

void print_outbox_retried(const json& reply, std::ostream& out) {
  const json& m = reply["message"];
  out << "Outbox message " << m.value("id", std::int64_t{0}) << " (" << describe_outbox_message(m)
      << ") is sent again now; recorded in the audit log as " << recorded_as(reply)
      << ". If the engine rejects it 5 more times it is a dead letter again. Follow it with: passgatectl outbox\n";
}

void print_outbox_dropped(const json& reply, std::ostream& out) {
  const json& m = reply["message"];
  out << "Outbox message " << m.value("id", std::int64_t{0}) << " (" << describe_outbox_message(m)
      << ") is dropped: the tracking engine never gets it; its session's later reports go on. Recorded in the audit"
         " log as "
      << recorded_as(reply) << "; reason: " << reply.value("reason", "") << '\n';
}

}  // namespace

void add_outbox_command(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<OutboxOptions>();
  auto* outbox = app.add_subcommand(
      "outbox", "list the reports waiting for the tracking engine and its dead letters (no report bodies)");
  outbox->add_option("--limit", o->limit, "at most this many dead letters, the oldest (default 500; 0: every one)")
      ->option_text("N")
      ->check(limit_check());

  auto* retry = outbox->add_subcommand("retry", "send a dead letter to the tracking engine again, at once");
  retry->add_option("ID", o->id, "the message's id, as passgatectl outbox lists it")
      ->required()
      ->check(id_check("outbox retry", "passgatectl outbox"));
  retry->callback([o, &cli] {
    cli.exit_code = ask_and_print(cli.target,
                                  json{{"cmd", "outbox.retry"}, {"id", o->id}, {"operator", invoking_operator()}},
                                  cli.json, print_outbox_retried);
  });

  auto* drop = outbox->add_subcommand("drop", "delete a dead letter: the tracking engine never gets it");
  drop->add_option("ID", o->id, "the message's id, as passgatectl outbox lists it")
      ->required()
      ->check(id_check("outbox drop", "passgatectl outbox"));
  drop->add_option("--reason", o->reason, "why, for the audit log (e.g. \"passage entered by hand at the engine\")")
      ->required();
  drop->callback([o, &cli] {
    cli.exit_code = ask_and_print(
        cli.target,
        json{{"cmd", "outbox.drop"}, {"id", o->id}, {"reason", o->reason}, {"operator", invoking_operator()}},
        cli.json, print_outbox_dropped);
  });

  outbox->callback([o, outbox, &cli] {
    if (!outbox->get_subcommands().empty()) return;  // an action ran
    json request{{"cmd", "outbox"}};
    if (o->limit) request["limit"] = *o->limit;
    cli.exit_code = ask_and_print(cli.target, request, cli.json, print_outbox_list);
  });
}

}  // namespace passgate::ctl
