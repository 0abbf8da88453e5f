// `passgate-sim tracking`: runs the tracking-engine simulator (TrackingServer) on loopback
// until SIGINT or SIGTERM, one stdout line per request (and per cart it finalized by itself
// with --finalize-after-ms). Also registers `tracking-ctl`.
#include <csignal>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/sim/commands.hpp"
#include "tools/sim/sim_port_file.hpp"
#include "tools/sim/tracking/ctl_command.hpp"
#include "tools/sim/tracking/server.hpp"

namespace passgate::sim {
namespace {

struct TrackingArgs {
  std::uint16_t port = 0;
  std::uint16_t control_port = 0;
  std::string tls_cert;
  std::string tls_key;
  std::string client_ca;
  std::vector<std::string> blocked;
  std::string port_file;
  int finalize_after_ms = -1;  // -1: carts are finalized over the control port only
  std::uint64_t cart_seed = 1;
};

// "api POST /v1/sessions 201 id=…" — ids only, never shoppers' tokens.
void print_request(const TrackingRequestLog& r) {
  std::cout << (r.control ? "control " : "api ") << r.method << ' ' << r.path << ' ' << r.status;
  if (!r.subject.empty()) std::cout << " id=" << r.subject;
  std::cout << std::endl;
}

// "cart id=… total=1234 items=3 (auto)" or "cart id=… skipped: why".
void print_auto_finalize(const AutoFinalizeLog& log) {
  std::cout << "cart id=" << log.session_id;
  if (log.finalized) {
    std::cout << " total=" << log.total_minor << " items=" << log.items << " (auto)";
  } else {
    std::cout << " skipped: " << log.skipped;
  }
  std::cout << std::endl;
}

int run_tracking(const TrackingArgs& args) {
  boost::asio::io_context io;
  TrackingServerOptions options;
  options.port = args.port;
  options.control_port = args.control_port;
  if (!args.tls_cert.empty()) options.tls = drivers::TlsServerFiles{args.tls_cert, args.tls_key, args.client_ca};
  options.blocked_shoppers = args.blocked;
  options.on_request = print_request;
  if (args.finalize_after_ms >= 0) {
    options.auto_finalize = AutoFinalizeSettings{Millis{args.finalize_after_ms}, args.cart_seed, "USD"};
    options.on_auto_finalize = print_auto_finalize;
  }
  auto server = TrackingServer::create(io, std::move(options));
  if (!server) {
    std::cerr << "passgate-sim tracking: " << server.error().message << '\n';
    return 1;
  }
  const auto& s = *server.value();
  if (!args.port_file.empty()) {
    if (auto written = write_port_file(args.port_file, s.port(), s.control_port()); !written) {
      std::cerr << "passgate-sim tracking: " << written.error().message << '\n';
      return 1;
    }
  }
  std::cout << "tracking simulator: API on " << (args.tls_cert.empty() ? "http" : "https") << "://127.0.0.1:"
            << s.port() << ", control on http://127.0.0.1:" << s.control_port() << std::endl;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  return 0;
}

}  // namespace

void add_tracking_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrackingArgs>();
  auto* cmd = app.add_subcommand("tracking",
                                 "run the tracking engine simulator on 127.0.0.1 until SIGINT/SIGTERM, "
                                 "logging one line per request");
  cmd->add_option("--port", args->port, "API port (0: any free port)")->capture_default_str();
  cmd->add_option("--control-port", args->control_port, "control port, plain HTTP (0: any free port)")
      ->capture_default_str();
  auto* cert = cmd->add_option("--tls-cert", args->tls_cert, "serve the API over TLS: PEM certificate chain")
                   ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  cmd->add_option("--client-ca", args->client_ca, "require client certificates issued by this PEM CA (mutual TLS)")
      ->check(CLI::ExistingFile)
      ->needs(cert);
  cmd->add_option("--block", args->blocked, "answer 403 shopper_blocked for this shopper id (repeatable)");
  cmd->add_option("--port-file", args->port_file,
                  "once listening, write {\"port\":P,\"control_port\":C} to this file (for port 0)");
  auto* finalize = cmd->add_option("--finalize-after-ms", args->finalize_after_ms,
                                   "finalize each session's cart by itself this long after its first admitted "
                                   "passage, with random items (about 1 cart in 5 empty)")
                       ->check(CLI::Range(0, 3'600'000));
  cmd->add_option("--cart-seed", args->cart_seed,
                  "seed of those random carts: the same seed gives every shopper the same carts")
      ->capture_default_str()
      ->needs(finalize);
  cmd->footer(
      "Control it while it runs with `passgate-sim tracking-ctl --control-port C ...` "
      "(fault, block, unblock, finalize, state), or HTTP: POST /control/fault "
      "{\"mode\":\"none|unreachable|slow|error5xx\",\"delay_ms\":N}, POST /control/block "
      "{\"shopper\":S}, POST /control/unblock, POST /control/finalize, GET /control/state.");
  cmd->callback([args, &exit_code] { exit_code = run_tracking(*args); });

  add_tracking_ctl_command(app, exit_code);
}

}  // namespace passgate::sim
