// `passgate-sim gateway`: runs the payment-gateway simulator (GatewayServer) on loopback
// until SIGINT or SIGTERM, one stdout line per request (unless --quiet), then prints its
// ledger table for reconciliation. Also registers `gateway-ctl`.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/sim/commands.hpp"
#include "tools/sim/gateway/ctl_command.hpp"
#include "tools/sim/gateway/report.hpp"
#include "tools/sim/gateway/server.hpp"
#include "tools/sim/sim_port_file.hpp"

namespace passgate::sim {
namespace {

struct GatewayArgs {
  std::uint16_t port = 0;
  std::uint16_t control_port = 0;
  std::string tls_cert;
  std::string tls_key;
  std::string api_key_file;
  std::string port_file;
  bool quiet = false;
  int rate_limit = 0;
  std::vector<std::string> readers;
};

// "api POST /v1/payment_intents 200 id=pi_… replayed": ids only, never customers or
// payment methods.
void print_request(const GatewayRequestLog& r) {
  std::cout << (r.control ? "control " : "api ") << r.method << ' ' << r.path << ' ' << r.status;
  if (!r.subject.empty()) std::cout << " id=" << r.subject;
  if (!r.note.empty()) std::cout << ' ' << r.note;
  std::cout << std::endl;
}

// The file's first line, without trailing white space. Error code "bad_api_key".
Result<std::string> read_api_key(const std::string& file) {
  std::ifstream in(file);
  if (!in) return make_error("bad_api_key", "cannot read the API key file " + file);
  std::string key;
  std::getline(in, key);
  key.erase(key.find_last_not_of(" \t\r\n") + 1);
  if (key.empty()) return make_error("bad_api_key", "the API key file " + file + " is empty");
  return key;
}

int run_gateway(const GatewayArgs& args) {
  auto key = read_api_key(args.api_key_file);
  if (!key) {
    std::cerr << "passgate-sim gateway: " << key.error().message << '\n';
    return 1;
  }
  boost::asio::io_context io;
  GatewayServerOptions options;
  options.port = args.port;
  options.control_port = args.control_port;
  if (!args.tls_cert.empty()) options.tls = drivers::TlsServerFiles{args.tls_cert, args.tls_key, {}};
  options.api_key = std::move(key.value());
  if (!args.quiet) options.on_request = print_request;
  options.rate_limit_per_second = args.rate_limit;
  options.readers = args.readers;
  auto server = GatewayServer::create(io, std::move(options));
  if (!server) {
    std::cerr << "passgate-sim gateway: " << server.error().message << '\n';
    return 1;
  }
  const auto& s = *server.value();
  if (!args.port_file.empty()) {
    if (auto written = write_port_file(args.port_file, s.port(), s.control_port()); !written) {
      std::cerr << "passgate-sim gateway: " << written.error().message << '\n';
      return 1;
    }
  }
  std::cout << "gateway simulator: API on " << (args.tls_cert.empty() ? "http" : "https") << "://127.0.0.1:" << s.port()
            << ", control on http://127.0.0.1:" << s.control_port() << std::endl;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  std::cout << "gateway simulator ledger:\n"
            << format_ledger_table(nlohmann::json::parse(s.ledger_json())) << std::flush;
  return 0;
}

}  // namespace

void add_gateway_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GatewayArgs>();
  auto* cmd = app.add_subcommand("gateway",
                                 "run the payment gateway simulator (Stripe-compatible PaymentIntents subset) on "
                                 "127.0.0.1 until SIGINT/SIGTERM, then print its ledger");
  cmd->add_option("--port", args->port, "API port (0: any free port)")->capture_default_str();
  cmd->add_option("--control-port", args->control_port, "control port, plain HTTP (0: any free port)")
      ->capture_default_str();
  cmd->add_option("--api-key-file", args->api_key_file,
                  "file whose first line is the secret key clients must send as Authorization: Bearer <key>")
      ->required()
      ->check(CLI::ExistingFile);
  auto* cert = cmd->add_option("--tls-cert", args->tls_cert, "serve the API over TLS: PEM certificate chain")
                   ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  cmd->add_option("--port-file", args->port_file,
                  "once listening, write {\"port\":P,\"control_port\":C} to this file (for port 0)");
  cmd->add_flag("--quiet", args->quiet, "no line per request (benchmarks)");
  cmd->add_option("--rate-limit", args->rate_limit,
                  "answer 429 (Retry-After: 1) to API requests beyond this many in the last second, as a live "
                  "account does (0: no limit)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--reader", args->readers,
                  "a simulated Terminal reader tmr_…, for card-present holds (repeatable: one per lane)");
  cmd->footer(
      "Test payment methods: pm_card_visa approves, pm_card_chargeDeclined and "
      "pm_card_chargeDeclinedInsufficientFunds decline (402). Control it while it runs with "
      "`passgate-sim gateway-ctl --control-port C ...` (fault, ledger, forget-keys), or HTTP: POST /control/fault "
      "{\"mode\":\"none|unreachable|slow|error5xx|rate_limit|drop_response|lie\",\"lie\":\"amount|currency|session|"
      "intent_id|status_299\",\"delay_ms\":N,\"retry_after_s\":N,"
      "\"count\":N}, POST /control/forget_keys, GET /control/ledger. Readers: tap with POST "
      "/v1/test_helpers/terminal/readers/{reader}/present_payment_method (card_present[number]: 4242424242424242 "
      "approves, 4000000000000002 and 4000000000009995 decline), `gateway-ctl tap ID --card N` or POST "
      "/control/readers/{reader}/tap {\"card\":N}; their faults with `gateway-ctl reader ID FAULT`, "
      "POST /control/readers/{reader} {\"fault\":...} or POST /_sim/readers/{reader} fault=... on the API port.");
  cmd->callback([args, &exit_code] { exit_code = run_gateway(*args); });

  add_gateway_ctl_command(app, exit_code);
}

}  // namespace passgate::sim
