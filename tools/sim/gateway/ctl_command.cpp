// `passgate-sim gateway-ctl --control-port C <fault|ledger|forget-keys|reader|tap>`: one request to the
// gateway simulator's control port with HttpClient. Prints the answer's JSON body (ledger:
// a table, unless --json); exits 0 on a 2xx answer and 1 otherwise.
#include "tools/sim/gateway/ctl_command.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "drivers/http_client.hpp"
#include "tools/sim/gateway/reader_state.hpp"
#include "tools/sim/gateway/report.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxLedgerBytes = std::size_t{256} << 20;  // about a million intents

struct GatewayCtlArgs {
  std::uint16_t control_port = 0;
  int timeout_ms = 5000;
  std::string fault_mode;
  std::optional<int> delay_ms;
  std::optional<int> retry_after_s;
  std::optional<int> count;
  std::optional<std::string> lie;
  bool json_output = false;
  std::string reader;
  std::string reader_fault;
  std::string card = "4242424242424242";
};

// Sends one request to the control port and waits for it; the reply, or nothing (after
// saying why on stderr) when there was no 2xx answer.
std::optional<passgate::HttpReply> send(const GatewayCtlArgs& args, drivers::HttpMethod method,
                                          const std::string& target, const std::string& body) {
  boost::asio::io_context io;
  drivers::HttpClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(args.control_port);
  options.max_body_bytes = kMaxLedgerBytes;
  auto client = drivers::HttpClient::create(io, std::move(options));
  if (!client) {
    std::cerr << "passgate-sim gateway-ctl: " << client.error().message << '\n';
    return std::nullopt;
  }
  std::optional<passgate::HttpReply> reply;
  client.value()->request(method, target, body, std::chrono::milliseconds(args.timeout_ms),
                          [&reply](passgate::HttpReply r) { reply = std::move(r); });
  io.run();  // ends when the request is done: the deadline bounds it
  if (reply->status == 0) {
    std::cerr << "passgate-sim gateway-ctl: " << reply->error
              << " (is `passgate-sim gateway` running with --control-port " << args.control_port << "?)\n";
    return std::nullopt;
  }
  if (reply->status < 200 || reply->status > 299) {
    std::cerr << "passgate-sim gateway-ctl: " << target << " answered " << reply->status << ": " << reply->body << '\n';
    return std::nullopt;
  }
  return reply;
}

int print_ledger(const GatewayCtlArgs& args) {
  const auto reply = send(args, drivers::HttpMethod::get, "/control/ledger", {});
  if (!reply) return 1;
  if (args.json_output) {
    std::cout << reply->body << std::endl;
    return 0;
  }
  try {
    std::cout << format_ledger_table(json::parse(reply->body)) << std::flush;
  } catch (const json::exception& e) {
    std::cerr << "passgate-sim gateway-ctl: the ledger is not what this version expects: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

// Prints the JSON answer of a POST; the exit code.
int post(const GatewayCtlArgs& args, const std::string& target, const json& body) {
  const auto reply = send(args, drivers::HttpMethod::post, target, body.dump());
  if (!reply) return 1;
  std::cout << reply->body << std::endl;
  return 0;
}

}  // namespace

void add_gateway_ctl_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<GatewayCtlArgs>();
  auto* ctl = app.add_subcommand("gateway-ctl", "control a running `passgate-sim gateway` through its control port");
  ctl->add_option("--control-port", args->control_port, "the simulator's control port")->required();
  ctl->add_option("--timeout-ms", args->timeout_ms, "give up after this long")
      ->capture_default_str()
      ->check(CLI::Range(1, 600000));
  ctl->require_subcommand(1);

  auto* fault = ctl->add_subcommand(
      "fault", "make the API misbehave: none | unreachable | slow | error5xx | rate_limit | drop_response | lie");
  fault->add_option("mode", args->fault_mode, "none, unreachable, slow, error5xx, rate_limit, drop_response or lie")
      ->required()
      ->check(CLI::IsMember({"none", "unreachable", "slow", "error5xx", "rate_limit", "drop_response", "lie"}));
  fault->add_option("--delay-ms", args->delay_ms, "how late every answer comes (slow only)")
      ->check(CLI::Range(1, 600000));
  fault->add_option("--retry-after-s", args->retry_after_s, "send Retry-After: N with every 429 (rate_limit only)")
      ->check(CLI::Range(0, 86400));
  fault->add_option("--lie", args->lie,
                    "what a 200 PaymentIntent answer misstates (lie only): amount (1), currency (jpy), session, "
                    "intent_id (seen on capture and void) or status_299 (HTTP 299 instead of 200)")
      ->check(CLI::IsMember({"amount", "currency", "session", "intent_id", "status_299"}));
  fault->add_option("--count", args->count, "only the next N API requests, then back to none (not for unreachable)")
      ->check(CLI::Range(1, 1000000000));
  auto* ledger =
      ctl->add_subcommand("ledger", "print every PaymentIntent, totals per currency, duplicates and counters");
  ledger->add_flag("--json", args->json_output, "print GET /control/ledger's JSON instead of a table");
  auto* forget = ctl->add_subcommand("forget-keys", "drop every stored Idempotency-Key (as after 24 hours)");
  auto* reader = ctl->add_subcommand("reader", "switch a simulated Terminal reader's fault (or an API-wide one)");
  reader->add_option("id", args->reader, "the reader, tmr_… (as given to --reader)")->required();
  reader->add_option("fault", args->reader_fault, terminal_fault_names())
      ->required()
      ->check([](const std::string& name) {
        return parse_terminal_fault(name) ? std::string() : "expected one of " + terminal_fault_names();
      });
  reader->add_option("--delay-ms", args->delay_ms, "how late every answer comes (delay_ms only)")
      ->check(CLI::Range(1, 600000));

  auto* tap = ctl->add_subcommand("tap", "a shopper taps a test card on a simulated reader (the lane's card entry)");
  tap->add_option("id", args->reader, "the reader, tmr_… (as given to --reader)")->required();
  tap->add_option("--card", args->card,
                  "the test card's number: 4242424242424242 approves, 4000000000000002 and 4000000000009995 decline")
      ->capture_default_str();

  ctl->callback([=, &exit_code] {
    if (fault->parsed()) {
      json body{{"mode", args->fault_mode}};
      if (args->delay_ms) body["delay_ms"] = *args->delay_ms;
      if (args->retry_after_s) body["retry_after_s"] = *args->retry_after_s;
      if (args->count) body["count"] = *args->count;
      if (args->lie) body["lie"] = *args->lie;
      exit_code = post(*args, "/control/fault", body);
    } else if (ledger->parsed()) {
      exit_code = print_ledger(*args);
    } else if (forget->parsed()) {
      exit_code = post(*args, "/control/forget_keys", json::object());
    } else if (reader->parsed()) {
      json body{{"fault", args->reader_fault}};
      if (args->delay_ms) body["delay_ms"] = *args->delay_ms;
      exit_code = post(*args, "/control/readers/" + args->reader, body);
    } else if (tap->parsed()) {
      exit_code = post(*args, "/control/readers/" + args->reader + "/tap", json{{"card", args->card}});
    }
  });
}

}  // namespace passgate::sim
