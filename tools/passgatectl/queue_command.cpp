// passgatectl queue [--json] [--all]: lists the payment queue (queue_listing.hpp);
// passgatectl queue retry ID and passgatectl queue write-off ID --reason TEXT: the operator's
// answers to a dead letter (queue_actions.hpp). --config may come before or after them.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "common/time_format.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_database.hpp"
#include "tools/passgatectl/invoking_operator.hpp"
#include "tools/passgatectl/queue_actions.hpp"
#include "tools/passgatectl/queue_listing.hpp"

namespace passgate::ctl {

namespace {

struct QueueOptions {
  std::string config;
  QueueListingOptions listing;
  std::int64_t op_id = 0;
  std::string reason;
};

// retry and write-off take the queue's options (fallthrough), which their help omits.
std::string config_footnote() {
  return std::string("-c,--config FILE: the gate's configuration file (default ") + kDefaultConfigFile + ")";
}

std::int64_t now_ms() { return unix_millis(std::chrono::system_clock::now()); }

// Opens the gate's database and runs `command` on it; the process exit code.
template <class Command>
int with_database(const std::string& config, Command&& command) {
  auto gate = open_gate_database(config);
  if (!gate.ok()) return report_failure(gate.error());
  if (Status done = command(*gate->database); !done) return report_failure(done.error());
  return 0;
}

OperatorAction action_on(std::int64_t op_id) { return OperatorAction{op_id, invoking_operator(), now_ms()}; }

}  // namespace

void add_queue_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QueueOptions>();
  auto* queue = app.add_subcommand(
      "queue", "list the payment queue: pending, in-flight and dead-letter operations (no payment references)");
  add_config_option(*queue, o->config);
  queue->add_flag("--json", o->listing.json, "print one JSON object");
  queue->add_flag("--all", o->listing.all, "also list succeeded and written-off operations");

  auto* retry = queue->add_subcommand("retry", "send a dead letter again, with its same idempotency key");
  retry->add_option("ID", o->op_id, "the operation's id, as passgatectl queue lists it")->required();
  retry->fallthrough();
  retry->footer(config_footnote());
  retry->callback([o, &exit_code] {
    exit_code = with_database(o->config, [&](db::Database& database) {
      return retry_dead_letter(database, action_on(o->op_id), std::cout);
    });
  });

  auto* write_off = queue->add_subcommand("write-off", "close a dead letter without collecting it through the gate");
  write_off->add_option("ID", o->op_id, "the operation's id, as passgatectl queue lists it")->required();
  write_off->add_option("--reason", o->reason, "why, for the audit log (e.g. \"paid at the service desk\")")
      ->required();
  write_off->fallthrough();
  write_off->footer(config_footnote());
  write_off->callback([o, &exit_code] {
    exit_code = with_database(o->config, [&](db::Database& database) {
      return write_off_dead_letter(database, action_on(o->op_id), o->reason, std::cout);
    });
  });

  queue->callback([o, queue, &exit_code] {
    if (!queue->get_subcommands().empty()) return;  // retry or write-off ran
    exit_code = with_database(o->config, [&](db::Database& database) {
      return print_queue(database, o->listing, now_ms(), std::cout);
    });
  });
}

}  // namespace passgate::ctl
