// passgatectl: the operator CLI for store IT (check a config; inspect and operate the running
// gate over its control socket: status, lanes, sessions, the payment queue, reload, hw checks).
// The options every command shares may come before or after it; a wrong command line is
// explained in passgatectl's own words (usage_error.hpp), exit 2.
#include <iostream>

#include "common/version.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace {

using namespace passgate::ctl;

void add_common_options(CLI::App& app, Cli& cli) {
  app.add_option("-c,--config", cli.target.config_file,
                 std::string("the gate's configuration file (default ") + kDefaultConfigFile +
                     "): where its control socket is; check-config and udev-rules read it whole")
      ->option_text("FILE");
  app.add_option("--socket", cli.target.socket, "the gate's control socket (default: [control] socket in the config)")
      ->option_text("PATH");
  app.add_flag("--json", cli.json, "print JSON instead of text (one object; one per line when watching)");
  app.add_option_function<std::string>(
         "--timeout",
         [&cli](const std::string& text) {
           cli.target.timeout = std::chrono::milliseconds(std::stoll(text) * 1000);
         },
         "how long to wait for the gate to accept and to answer, in seconds (default 10)")
      ->option_text("SECONDS")
      ->check(whole_number(1, 3600, [](const std::string& text) {
        return "--timeout must be a number of seconds from 1 to 3600, not " + text;
      }));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgatectl: operate a Passgate gate controller", "passgatectl"};
  app.require_subcommand(1);
  app.fallthrough();  // the common options after the command too: passgatectl status --json
  app.set_version_flag("--version", passgate::version_line("passgatectl"), "print the version and exit");
  app.footer(std::string("Options every command takes, before or after it: -c FILE, --socket PATH, --json, --timeout "
                         "SECONDS.\n") +
             kExitCodesHelp);
  Cli cli;
  add_common_options(app, cli);
  add_check_config_command(app, cli);
  add_status_command(app, cli);
  add_sessions_command(app, cli);
  add_queue_command(app, cli);
  add_outbox_command(app, cli);
  add_lane_commands(app, cli);
  add_reload_command(app, cli);
  add_hw_command(app, cli);
  add_udev_rules_command(app, cli);
  add_status_page_command(app, cli);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "passgatectl: " << explain_parse_error(app, e) << '\n';
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "passgatectl: " << e.what() << '\n';
    return kExitUsage;
  }
  return cli.exit_code;
}
