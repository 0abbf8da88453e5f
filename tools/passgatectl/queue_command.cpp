// passgatectl queue [--all] [--limit N] [--json]: the payment queue as passgated answers it
// over its control socket (passgated/control_queue.hpp): pending, in-flight and
// dead-letter operations (--all: every one), oldest first, then counts and what is owed.
// passgatectl queue retry ID and queue write-off ID --reason TEXT: the operator's answers to
// a dead letter, carried out by passgated and recorded in its audit log with the invoking
// operator (invoking_operator.hpp). The listing also shows the quarantined final carts;
// passgatectl queue charge-cart ID --amount MINOR --currency CODE --reason TEXT [--double-use]
// and queue write-off-cart ID --reason TEXT settle one (passgated/control_quarantine.hpp). The
// queue's options may come before or after them.
#include <algorithm>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "controller/settlement/currency.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

struct QueueOptions {
  bool all = false;
  std::optional<int> limit;  // empty: the gate's default
  std::int64_t op_id = 0;
  std::string reason;
  std::int64_t amount_minor = 0;
  std::string currency;
  bool double_use = false;  // charge-cart: the operator confirms charging a double use's cart
};

// The state as the table shows it; a final failure that needs no operator is marked so.
std::string operation_state_label(const json& op) {
  std::string label = op.value("state", "");
  std::replace(label.begin(), label.end(), '_', ' ');
  if ((label == "declined" || label == "dead") && !op.value("dead_letter", false)) label += " (no alert)";
  return label;
}

std::string amount_of(const json& op) {
  return format_money(op.value("amount_minor", std::int64_t{0}), op.value("currency", ""));
}

void print_quarantined(const json& carts, std::ostream& out) {
  if (carts.empty()) return;
  out << "Quarantined final carts (never charged as they came; an operator settles each):\n";
  TableRows rows{{"ID", "SESSION", "REASON", "AGE", "DETAIL"}};
  for (const auto& q : carts) {
    const std::string session = q.value("session_id", "");
    rows.push_back({std::to_string(q.value("id", std::int64_t{0})), session.empty() ? "(unreadable)" : session,
                    q.value("reason", ""), format_age_s(q["age_s"]), q.value("detail", "")});
  }
  print_table(rows, out);
  out << "The cart as received: passgatectl queue --json. Settle one with passgatectl queue charge-cart ID --amount"
         " MINOR --currency CODE --reason TEXT (after checking the total; a double_use cart also needs --double-use,"
         " once loss prevention found the token's owner shopped here), or passgatectl queue write-off-cart ID"
         " --reason TEXT.\n\n";
}

void print_queue(const json& reply, std::ostream& out) {
  const bool all = reply.value("all", false);
  const json ops = reply.value("operations", json::array());
  if (ops.empty()) {
    out << (all ? "The payment queue holds no operation.\n"
                : "The payment queue is empty: nothing pending, in flight or in the dead-letter list.\n");
  } else {
    TableRows rows{{"ID", "SESSION", "OP", "AMOUNT", "STATE", "AGE", "ATTEMPTS", "LAST ERROR"}};
    for (const auto& op : ops) {
      rows.push_back({std::to_string(op.value("id", std::int64_t{0})), op.value("session_id", ""), op.value("op", ""),
                      amount_of(op), operation_state_label(op), format_age_s(op["age_s"]),
                      std::to_string(op.value("attempts", 0)), op.value("last_error", "")});
    }
    print_table(rows, out);
    const auto matching = reply.value("matching", std::int64_t{0});
    if (static_cast<std::int64_t>(ops.size()) < matching) {
      out << "(the newest " << ops.size() << " of " << matching << " shown; --limit 0 shows every one)\n";
    }
    out << '\n';
  }
  print_quarantined(reply.value("quarantined_carts", json::array()), out);
  const json counts = reply.value("counts", json::object());
  const auto n = [&counts](const char* state) { return counts.value(state, std::int64_t{0}); };
  const auto dead_letters = n("dead_letters");
  out << reply.value("outstanding", 0) << " outstanding (" << n("pending") << " pending, " << n("in_flight")
      << " in flight), owed " << format_amounts(reply.value("owed_minor", json::object())) << "; " << dead_letters
      << " dead letter(s)";
  if (all) out << "; " << n("succeeded") << " succeeded, " << n("written_off") << " written off";
  out << "; " << n("quarantined_carts") << " quarantined cart(s)";
  if (reply.contains("owed_capped")) out << "; owed in " << reply["owed_capped"].dump() << " is at least the sum shown";
  out << '\n';
  if (dead_letters > 0) {
    out << "A dead letter waits for an operator: passgatectl queue retry ID, or passgatectl queue write-off ID"
           " --reason TEXT.\n";
  }
}

// "charge of 12.34 USD for session <id>"
std::string describe(const json& op) {
  return op.value("op", "") + " of " + amount_of(op) + " for session " + op.value("session_id", "");
}

void print_retried(const json& reply, std::ostream& out) {
  const json& op = reply["operation"];
  if (reply.contains("new_attempt")) {
    out << "Payment operation " << op.value("id", std::int64_t{0}) << " (" << describe(op)
        << ") was declined: it is replaced by a new attempt, payment operation "
        << reply["new_attempt"].value("id", std::int64_t{0})
        << ", under a new idempotency key (the gateway would answer the old key with its decline). Recorded in the"
        << " audit log as " << recorded_as(reply) << ".\n"
        << "passgated sends the new attempt now; there is no need to signal or restart passgated. Follow it with:"
        << " passgatectl queue --all\n";
    return;
  }
  out << "Payment operation " << op.value("id", std::int64_t{0}) << " (" << describe(op)
      << ") is pending again; recorded in the audit log as " << recorded_as(reply) << ".\n"
      << "passgated sends it again now, with its same idempotency key; there is no need to signal or restart"
      << " passgated. Follow it with: passgatectl queue --all\n";
  if (op.value("state", "") == "declined") {
    out << "Note: for 24 hours after the first attempt the gateway answers the same key with its first answer, so a"
        << " decline may come back unchanged.\n";
  }
}

void print_written_off(const json& reply, std::ostream& out) {
  const json& op = reply["operation"];
  out << "Payment operation " << op.value("id", std::int64_t{0}) << " (" << describe(op)
      << ") is written off: nothing more will be sent for it. Recorded in the audit log as "
      << recorded_as(reply) << "; reason: " << reply.value("reason", "") << '\n';
}

void print_cart_settled(const json& reply, std::ostream& out) {
  const json& q = reply["quarantined_cart"];
  out << "Quarantined cart " << q.value("id", std::int64_t{0}) << " (session " << q.value("session_id", "") << ") ";
  if (reply.contains("amount_minor")) {
    out << "is charged " << format_money(reply.value("amount_minor", std::int64_t{0}), reply.value("currency", ""))
        << " after correction: passgated settles the session now, once (passgatectl queue --all follows it).";
  } else {
    out << "is written off: nothing is charged for it, the session's hold (if any) is released.";
  }
  out << " Recorded in the audit log as " << reply.value("actor", "") << ", reason: " << reply.value("reason", "")
      << '\n';
}

}  // namespace

void add_queue_command(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<QueueOptions>();
  auto* queue = app.add_subcommand(
      "queue", "list the payment queue: pending, in-flight and dead-letter operations (no payment references)");
  queue->add_flag("--all", o->all, "also list succeeded and written-off operations");
  queue->add_option("--limit", o->limit, "at most this many operations, the newest (default 500; 0: every one)")
      ->option_text("N")
      ->check(limit_check());

  auto* retry = queue->add_subcommand(
      "retry", "send a dead letter again, with its same idempotency key (a declined charge: as a new attempt)");
  retry->add_option("ID", o->op_id, "the operation's id, as passgatectl queue lists it")
      ->required()
      ->check(id_check("queue retry", "passgatectl queue"));
  retry->callback([o, &cli] {
    cli.exit_code = ask_and_print(cli.target,
                                  json{{"cmd", "queue.retry"}, {"id", o->op_id}, {"operator", invoking_operator()}},
                                  cli.json, print_retried);
  });

  auto* write_off = queue->add_subcommand("write-off", "close a dead letter without collecting it through the gate");
  write_off->add_option("ID", o->op_id, "the operation's id, as passgatectl queue lists it")
      ->required()
      ->check(id_check("queue write-off", "passgatectl queue"));
  write_off->add_option("--reason", o->reason, "why, for the audit log (e.g. \"paid at the service desk\")")
      ->required();
  write_off->callback([o, &cli] {
    cli.exit_code = ask_and_print(cli.target, json{{"cmd", "queue.write_off"},
                                                   {"id", o->op_id},
                                                   {"reason", o->reason},
                                                   {"operator", invoking_operator()}}, cli.json, print_written_off);
  });

  auto* charge = queue->add_subcommand("charge-cart", "charge a quarantined final cart after correcting its total");
  charge->add_option("ID", o->op_id, "the quarantined cart's id, as passgatectl queue lists it")
      ->required()
      ->check(id_check("queue charge-cart", "passgatectl queue"));
  charge->add_option("--amount", o->amount_minor, "the corrected total in minor units (cents), at most "
                                                  "payments.max_cart_minor")
      ->required()
      ->option_text("MINOR")
      ->check(whole_number(0, std::numeric_limits<std::int64_t>::max(), [](const std::string& text) {
        return "queue charge-cart: --amount is the corrected total in minor units, a whole number (2390 for 23.90 "
               "USD), not " + text;
      }));
  charge->add_option("--currency", o->currency, "the gate's currency (payments.currency), e.g. USD")->required();
  charge->add_option("--reason", o->reason, "what was checked, for the audit log")->required();
  charge->add_flag("--double-use", o->double_use,
                   "confirm charging the cart of a double use (its entry token was admitted at another gate array "
                   "too): loss prevention found the token's owner shopped here");
  charge->callback([o, &cli] {
    json request{{"cmd", "queue.charge_cart"},
                 {"id", o->op_id},
                 {"amount_minor", o->amount_minor},
                 {"currency", controller::currency_code(o->currency)},
                 {"reason", o->reason},
                 {"operator", invoking_operator()}};
    if (o->double_use) request["confirm"] = "double_use";
    cli.exit_code = ask_and_print(cli.target, request, cli.json, print_cart_settled);
  });

  auto* write_off_cart =
      queue->add_subcommand("write-off-cart", "close a quarantined final cart without charging it");
  write_off_cart->add_option("ID", o->op_id, "the quarantined cart's id, as passgatectl queue lists it")
      ->required()
      ->check(id_check("queue write-off-cart", "passgatectl queue"));
  write_off_cart->add_option("--reason", o->reason, "why, for the audit log")->required();
  write_off_cart->callback([o, &cli] {
    cli.exit_code = ask_and_print(cli.target, json{{"cmd", "queue.write_off_cart"},
                                                   {"id", o->op_id},
                                                   {"reason", o->reason},
                                                   {"operator", invoking_operator()}}, cli.json, print_cart_settled);
  });

  queue->callback([o, queue, &cli] {
    if (!queue->get_subcommands().empty()) return;  // an action ran
    json request{{"cmd", "queue"}, {"all", o->all}};
    if (o->limit) request["limit"] = *o->limit;
    cli.exit_code = ask_and_print(cli.target, request, cli.json, print_queue);
  });
}

}  // namespace passgate::ctl
