// `passgate-sim tracking-ctl --control-port C <fault|block|unblock|finalize|state>`: one
// request to the tracking simulator's control port with HttpClient; prints the answer's
// JSON body, exits 0 on a 2xx answer and 1 otherwise.
#include "tools/sim/tracking/ctl_command.hpp"

#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "drivers/http_client.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

struct CtlArgs {
  std::uint16_t control_port = 0;
  int timeout_ms = 2000;
  std::string fault_mode;
  int delay_ms = 0;
  std::string shopper;
  std::string session_id;
  std::string currency = "USD";
  std::vector<std::string> items;
  std::string total;  // JSON published as total_minor instead of the items' sum
};

struct ControlRequest {
  drivers::HttpMethod method = drivers::HttpMethod::get;
  std::string target;
  std::string body;
};

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "SKU,QTY,UNIT_MINOR[,NAME]" -> an item object; the name (which may hold commas)
// defaults to the SKU. The simulator checks the ranges.
Result<json> parse_item(const std::string& text) {
  std::vector<std::string> fields;
  std::string_view rest = text;
  for (auto comma = rest.find(','); fields.size() < 3 && comma != std::string_view::npos; comma = rest.find(',')) {
    fields.emplace_back(rest.substr(0, comma));
    rest.remove_prefix(comma + 1);
  }
  fields.emplace_back(rest);
  const auto qty = fields.size() >= 3 ? parse_integer(fields[1]) : std::nullopt;
  const auto unit_minor = fields.size() >= 3 ? parse_integer(fields[2]) : std::nullopt;
  if (fields[0].empty() || !qty || !unit_minor) {
    return make_error("bad_item",
                      "--item \"" + text + "\": expected SKU,QTY,UNIT_MINOR[,NAME], e.g. \"012345,2,399,Cold brew\"");
  }
  return json{{"sku", fields[0]}, {"name", fields.size() == 4 ? fields[3] : fields[0]}, {"qty", *qty}, {"unit_minor", *unit_minor}};
}

// Sends one request and waits for its answer; returns the exit code.
int send(const CtlArgs& args, const ControlRequest& request) {
  boost::asio::io_context io;
  drivers::HttpClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(args.control_port);
  auto client = drivers::HttpClient::create(io, std::move(options));
  if (!client) {
    std::cerr << "passgate-sim tracking-ctl: " << client.error().message << '\n';
    return 1;
  }
  std::optional<passgate::HttpReply> reply;
  client.value()->request(request.method, request.target, request.body, std::chrono::milliseconds(args.timeout_ms),
                          [&reply](passgate::HttpReply r) { reply = std::move(r); });
  io.run();  // ends when the request is done: the deadline bounds it
  if (reply->status == 0) {
    std::cerr << "passgate-sim tracking-ctl: " << reply->error
              << " (is `passgate-sim tracking` running with --control-port " << args.control_port << "?)\n";
    return 1;
  }
  if (reply->status < 200 || reply->status > 299) {
    std::cerr << "passgate-sim tracking-ctl: " << request.target << " answered " << reply->status << ": "
              << reply->body << '\n';
    return 1;
  }
  std::cout << reply->body << std::endl;
  return 0;
}

}  // namespace

void add_tracking_ctl_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CtlArgs>();
  auto* ctl = app.add_subcommand("tracking-ctl", "control a running `passgate-sim tracking` through its control port");
  ctl->add_option("--control-port", args->control_port, "the simulator's control port")->required();
  ctl->add_option("--timeout-ms", args->timeout_ms, "give up after this long")->capture_default_str()->check(CLI::Range(1, 600000));
  ctl->require_subcommand(1);

  auto* fault = ctl->add_subcommand("fault", "make the API misbehave: none | unreachable | slow | error5xx");
  fault->add_option("mode", args->fault_mode, "none, unreachable, slow or error5xx")
      ->required()
      ->check(CLI::IsMember({"none", "unreachable", "slow", "error5xx"}));
  fault->add_option("--delay-ms", args->delay_ms, "how late every answer comes (slow only)")->check(CLI::Range(1, 600000));
  auto* block = ctl->add_subcommand("block", "answer 403 shopper_blocked to this shopper's sessions");
  block->add_option("shopper", args->shopper, "shopper id, e.g. shp_8f2c")->required();
  auto* unblock = ctl->add_subcommand("unblock", "stop blocking this shopper");
  unblock->add_option("shopper", args->shopper, "shopper id")->required();
  auto* finalize = ctl->add_subcommand("finalize", "finalize an open session's cart (it then appears in GET /v1/carts)");
  finalize->add_option("session_id", args->session_id, "the session to finalize")->required();
  finalize->add_option("--currency", args->currency, "published as given: EUR, JPY, XXX or usd play a hostile engine")
      ->capture_default_str();
  finalize->add_option("--item", args->items, "SKU,QTY,UNIT_MINOR[,NAME] (repeatable; none: an empty cart)");
  finalize->add_option("--total", args->total,
                       "a JSON value the feed publishes as total_minor instead of the items' sum, to play a hostile"
                       " engine: 9223372036854775807, -5, 12.5, '\"12\"'");
  auto* state = ctl->add_subcommand("state", "print sessions, passages, blocked shoppers, fault and counts as JSON");

  ctl->callback([=, &exit_code] {
    ControlRequest request{drivers::HttpMethod::post, {}, {}};
    if (fault->parsed()) {
      request.target = "/control/fault";
      request.body = json{{"mode", args->fault_mode}, {"delay_ms", args->delay_ms}}.dump();
    } else if (block->parsed() || unblock->parsed()) {
      request.target = block->parsed() ? "/control/block" : "/control/unblock";
      request.body = json{{"shopper", args->shopper}}.dump();
    } else if (finalize->parsed()) {
      json items = json::array();
      for (const auto& text : args->items) {
        auto item = parse_item(text);
        if (!item) {
          std::cerr << "passgate-sim tracking-ctl finalize: " << item.error().message << '\n';
          exit_code = 2;
          return;
        }
        items.push_back(std::move(item.value()));
      }
      request.target = "/control/finalize";
      json body{{"session_id", args->session_id}, {"currency", args->currency}, {"items", items}};
      if (!args->total.empty()) {
        body["total_minor"] = json::parse(args->total, nullptr, false);
        if (body["total_minor"].is_discarded()) {
          std::cerr << "passgate-sim tracking-ctl finalize: --total \"" << args->total << "\" is not a JSON value\n";
          exit_code = 2;
          return;
        }
      }
      request.body = body.dump();
    } else if (state->parsed()) {
      request = ControlRequest{drivers::HttpMethod::get, "/control/state", {}};
    }
    exit_code = send(*args, request);
  });
}

}  // namespace passgate::sim
