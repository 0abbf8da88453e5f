// passgatectl reload [--json]: asks the running gate to reload its config file, exactly as
// SIGHUP does, and prints its report (controller/config/reload_report.hpp): what changed and is in
// force now, what changed but waits for a restart, a file that could not be applied (the
// status page's users file: its problem, and the previous users kept), or why the config was
// not applied (and, all the same, whether the users file was). Exit 0 when the config and
// every file were reloaded, 1 when not.
#include <iostream>

#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/invoking_operator.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

std::string listed(const json& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item.get<std::string>();
  return out;
}

void print_report(const json& r, std::ostream& out) {
  const std::string file = r.value("config_file", "the config file");
  const json applied = r.value("applied", json::array());
  if (!r.value("reloaded", false)) {
    out << "NOT reloaded: the gate keeps running with its previous settings. Fix " << file
        << " and run passgatectl reload again:\n";
    for (const auto& p : r.value("problems", json::array())) out << "  " << p.get<std::string>() << '\n';
    // The files reloaded all the same (the status page's users file).
    if (!applied.empty()) out << "in force now all the same: " << listed(applied) << '\n';
  } else {
    const json needs_restart = r.value("needs_restart", json::array());
    out << "reloaded " << file << '\n';
    if (applied.empty() && needs_restart.empty()) out << "nothing changed\n";
    if (!applied.empty()) out << "in force now: " << listed(applied) << '\n';
    if (!needs_restart.empty()) {
      out << "changed, but in force only after a restart (systemctl restart passgated): " << listed(needs_restart)
          << '\n';
    }
  }
  const json not_applied = r.value("not_applied", json::array());
  if (!not_applied.empty()) {
    out << "NOT applied, what was in force before is kept; fix it and run passgatectl reload again:\n";
    for (const auto& p : not_applied) out << "  " << p.get<std::string>() << '\n';
  }
}

int run_reload(const Cli& cli) {
  auto reply = ask_gate(cli.target, json{{"cmd", "reload"}, {"operator", invoking_operator()}});
  if (!reply.ok()) return report_failure(reply.error());
  if (cli.json) {
    print_json(*reply);
  } else {
    print_report(*reply, std::cout);
  }
  const bool whole = reply->value("reloaded", false) && reply->value("not_applied", json::array()).empty();
  return whole ? kExitOk : kExitFailed;
}

}  // namespace

void add_reload_command(CLI::App& app, Cli& cli) {
  auto* cmd = app.add_subcommand("reload", "reload the running gate's config file (as SIGHUP does) and say what "
                                           "changed, what needs a restart, or why nothing was applied");
  cmd->callback([&cli] { cli.exit_code = run_reload(cli); });
}

}  // namespace passgate::ctl
