// passgatectl check-config [FILE] [--as-user USER]: checks a gate config file (FILE, else
// --config's, else the default) as passgated will use it at start-up, and reports every
// problem (exit 1), or summarizes what a valid one sets up (exit 0); --json prints
// {"file", "checked_as", "valid", "problems": [...], "summary"} instead. Beyond the file
// itself it loads what the file names through passgated's own code (passgated/gate_files.hpp):
// the issuer key set, the API key and sealing key files, and the HTTP clients with their TLS
// files. It does so as USER (run_as_user.hpp): by default, when run as root, as the service
// user, so a file the service cannot read is reported too. With a [store] section it checks
// the store's TLS files (drivers/etcd_check.hpp) and, with --reach-store, asks every etcd
// member for its status (reachable, with a leader) over TLS with this box's certificate.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "controller/config/config.hpp"
#include "controller/config/summary.hpp"
#include "drivers/etcd_check.hpp"
#include "drivers/etcd_client.hpp"
#include "passgated/gate_files.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/run_as_user.hpp"

namespace passgate::ctl {
namespace {

// The user passgated runs as (config/passgated.service: User=passgate).
constexpr const char* kServiceUser = "passgate";

// How long --reach-store waits for each etcd member.
constexpr std::chrono::seconds kReachTimeout{3};

// [store]'s TLS files, and with `reach` every member's answer; one problem per failure.
void check_store(const std::string& file, const controller::StoreConfig& store, bool reach,
                 std::vector<std::string>& out) {
  const drivers::TlsClientFiles tls{store.ca_file, store.cert_file, store.key_file};
  if (auto checked = drivers::check_store_tls(tls); !checked) {
    out.push_back(file + ": store: " + checked.error().message);
    return;
  }
  if (!reach) return;
  boost::asio::io_context io;
  auto client = drivers::EtcdClient::create(io, {store.endpoints, tls});
  if (!client) {
    out.push_back(file + ": store: " + client.error().message);
    return;
  }
  for (std::size_t i = 0; i < store.endpoints.size(); ++i) {
    (*client)->status(i, kReachTimeout, [&out, &file, &store, i](auto status) {
      if (!status) {
        out.push_back(file + ": store: " + store.endpoints[i] + ": " + status.error().message);
      } else if (status->value.leader == 0) {
        out.push_back(file + ": store: " + store.endpoints[i] + ": the member knows no leader (no quorum?)");
      }
    });
  }
  io.run();
}

// Every problem the config and what it names would cause at start-up.
std::vector<std::string> problems_of(const std::string& file, bool reach_store,
                                     std::optional<controller::GateConfig>& config) {
  std::vector<std::string> out;
  auto load = controller::load_config(file);
  for (const auto& problem : load.problems) out.push_back(controller::format_problem(problem));
  if (!load.config) return out;
  boost::asio::io_context io;  // the clients are made, never run: nothing is sent
  for (const auto& p : drivers::open_gate_files(io, *load.config).problems) out.push_back(file + ": " + p);
  if (load.config->store.enabled) check_store(file, load.config->store, reach_store, out);
  config = std::move(load.config);
  return out;
}

int check(const std::string& file, const std::string& as, bool as_json, bool reach_store) {
  std::optional<controller::GateConfig> config;
  const auto problems = problems_of(file, reach_store, config);
  if (as_json) {
    nlohmann::json report{{"file", file}, {"checked_as", as}, {"valid", problems.empty()}, {"problems", problems}};
    if (config) report["summary"] = controller::summarize_config(*config);
    print_json(report);
    return problems.empty() ? kExitOk : kExitFailed;
  }
  if (!problems.empty()) {
    for (const auto& problem : problems) std::cerr << problem << '\n';
    const auto n = problems.size();
    std::cerr << n << (n == 1 ? " problem in " : " problems in ") << file << " (checked as user " << as << ")\n";
    return kExitFailed;
  }
  std::cout << file << " is valid (checked as user " << as << "). " << controller::summarize_config(*config) << '\n';
  return kExitOk;
}

}  // namespace

void add_check_config_command(CLI::App& app, Cli& cli) {
  auto* command = app.add_subcommand("check-config", "check a gate config file and report every problem in it");
  auto file = std::make_shared<std::string>();
  auto as_user = std::make_shared<std::string>();
  auto reach_store = std::make_shared<bool>(false);
  command->add_option("FILE", *file,
                      std::string("the config file (default: --config's, else ") + kDefaultConfigFile + ")");
  command
      ->add_option("--as-user", *as_user,
                   std::string("check that USER can read every file (default as root: ") + kServiceUser +
                       ", the service user)")
      ->option_text("USER");
  command->add_flag("--reach-store", *reach_store,
                    "with a [store] section, also ask every etcd member for its status (needs the network)");
  command->callback([file, as_user, reach_store, &cli] {
    const std::string path = !file->empty()                   ? *file
                             : !cli.target.config_file.empty() ? cli.target.config_file
                                                               : std::string(kDefaultConfigFile);
    std::string user = *as_user;
    if (user.empty() && ::geteuid() == 0) {
      if (user_exists(kServiceUser)) {
        user = kServiceUser;
      } else {
        std::cerr << "passgatectl: there is no user \"" << kServiceUser
                  << "\" (the service user) on this machine: checking as root; name the user passgated runs "
                     "as with --as-user USER\n";
      }
    }
    if (user.empty()) {
      cli.exit_code = check(path, current_user(), cli.json, *reach_store);
      return;
    }
    const auto ran = run_as_user(user, [&] { return check(path, user, cli.json, *reach_store); });
    if (!ran) {
      std::cerr << "passgatectl: check-config: " << ran.error().message << '\n';
      cli.exit_code = kExitFailed;
      return;
    }
    cli.exit_code = *ran;
  });
}

}  // namespace passgate::ctl
