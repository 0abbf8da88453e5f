#include "passgated/gate_files.hpp"

#include <algorithm>

#include "common/system_clock.hpp"
#include <boost/asio/ssl/context.hpp>

#include "crypto/secret_file.hpp"
#include "drivers/tls_context.hpp"

namespace passgate::drivers {
namespace {

constexpr std::string_view kApiKeyName = "the payment gateway's API key";

std::string problem(std::string_view key, const Error& error) { return std::string(key) + ": " + error.message; }

// The terminal API's client ([terminal], each setting left empty taking [payments]'):
// null with a problem ("terminal.api_key_file: ..." or "payment terminal: ...").
std::unique_ptr<TerminalClient> open_terminal(boost::asio::io_context& io, const controller::GateConfig& config,
                                              const std::string& payments_key, const Clock& clock,
                                              std::vector<std::string>& problems) {
  const controller::TerminalConfig& terminal = config.terminal;
  std::string key = payments_key;
  if (!terminal.api_key_file.empty()) {
    auto read = crypto::read_secret_text_file(terminal.api_key_file, "the terminal API key");
    if (!read) {
      problems.push_back(problem("terminal.api_key_file", read.error()));
      return nullptr;
    }
    key = std::move(*read);
  }
  TerminalClientOptions options;
  options.base_url = terminal.api_url.empty() ? config.payments.gateway_url : terminal.api_url;
  options.api_key = std::move(key);
  options.ca_bundle = terminal.ca_bundle.empty() ? config.payments.ca_bundle : terminal.ca_bundle;
  options.stripe_version = terminal.stripe_version;
  options.request_timeout = terminal.request_timeout;
  options.connect_timeout = terminal.connect_timeout;
  auto client = TerminalClient::create(io, std::move(options), clock);
  if (!client) {
    problems.push_back(client.error().message);  // "payment terminal: ..."
    return nullptr;
  }
  return std::move(*client);
}

// The HTTP clients; the gateway's (and the terminal's) only with an API key.
StartupLoad<GateServices> open_services(boost::asio::io_context& io, const controller::GateConfig& config,
                                        std::optional<std::string> api_key, const Clock& clock) {
  StartupLoad<GateServices> out;
  auto tracking = TrackingClient::create(
      io, {config.tracking.base_url,
           {config.tracking.ca_bundle, config.tracking.client_cert, config.tracking.client_key},
           config.gate_id});
  if (!tracking) out.problems.push_back(tracking.error().message);  // "tracking engine: ..."
  if (!api_key) return out;
  std::unique_ptr<TerminalClient> terminal;
  if (has_card_readers(config)) terminal = open_terminal(io, config, *api_key, clock, out.problems);
  const controller::PaymentsConfig& payments = config.payments;
  auto gateway = GatewayClient::create(
      io, GatewayClientOptions{payments.gateway_url, std::move(*api_key), payments.ca_bundle}, clock);
  if (!gateway) out.problems.push_back(gateway.error().message);  // "payment gateway: ..."
  if (out.problems.empty()) {
    out.value.emplace(GateServices{std::move(*tracking), std::move(*gateway), std::move(terminal)});
  }
  return out;
}

}  // namespace

bool has_card_readers(const controller::GateConfig& config) {
  return std::any_of(config.lanes.begin(), config.lanes.end(), [](const controller::LaneConfig& l) {
    return l.kind == controller::LaneKind::entry && !l.terminal_reader.empty();
  });
}

StartupLoad<StatusPageFiles> load_status_page_files(const controller::GateConfig& config) {
  StartupLoad<StatusPageFiles> out;
  const controller::StatusPageConfig& page = config.status_page;
  StatusPageFiles files;
  if (page.enabled && !page.tls_cert.empty()) {
    auto tls = make_tls_server_context(TlsServerFiles{page.tls_cert, page.tls_key, {}});
    if (!tls) {
      out.problems.push_back(problem("status_page.tls_cert", tls.error()));
    } else {
      files.tls = std::move(*tls);
    }
  }
  if (page.enabled && !page.users_file.empty()) {
    auto users = read_status_page_users(page);
    if (!users) {
      out.problems.push_back(users.error().message);
    } else {
      files.users = std::move(*users);
    }
  }
  if (out.problems.empty()) out.value.emplace(std::move(files));
  return out;
}

Result<crypto::UsersFile> read_status_page_users(const controller::StatusPageConfig& page) {
  // A file without users is valid: nobody gets in (the page logs it at start).
  auto users = crypto::UsersFile::read(page.users_file, {.allow_empty = true, .replacing = {}});
  if (!users) return make_error(users.error().code, problem("status_page.users_file", users.error()));
  return users;
}

StartupLoad<GateKeyFiles> load_key_files(const controller::GateConfig& config) {
  StartupLoad<GateKeyFiles> out;
  auto issuer_keys = controller::KeyRing::read(config.keyset);
  if (!issuer_keys) out.problems.push_back(problem("tokens.keyset", issuer_keys.error()));
  const controller::PaymentsConfig& payments = config.payments;
  auto api_key = crypto::read_secret_text_file(payments.api_key_file, kApiKeyName);
  if (!api_key) {
    out.problems.push_back(problem("payments.api_key_file", api_key.error()));
  } else if (auto usable = GatewayClient::check_api_key(*api_key); !usable) {
    out.problems.push_back(problem("payments.api_key_file", usable.error()));
  }
  auto sealer = crypto::PaymentSealer::load(payments.seal_key_file, payments.previous_seal_key_files);
  if (!sealer) out.problems.push_back(problem("payments.seal_key_file", sealer.error()));
  if (out.problems.empty()) {
    out.value.emplace(GateKeyFiles{std::move(*issuer_keys), std::move(*api_key), std::move(*sealer)});
  }
  return out;
}

StartupLoad<GateFiles> open_gate_files(boost::asio::io_context& io, const controller::GateConfig& config) {
  return open_gate_files(io, config, system_clock());
}

StartupLoad<GateFiles> open_gate_files(boost::asio::io_context& io, const controller::GateConfig& config,
                                       const Clock& clock) {
  auto keys = load_key_files(config);
  auto services = open_services(
      io, config, keys.value ? std::optional<std::string>(std::move(keys.value->api_key)) : std::nullopt, clock);
  auto status_page = load_status_page_files(config);
  StartupLoad<GateFiles> out;
  out.problems = std::move(keys.problems);
  out.problems.insert(out.problems.end(), services.problems.begin(), services.problems.end());
  out.problems.insert(out.problems.end(), status_page.problems.begin(), status_page.problems.end());
  if (out.problems.empty()) {
    out.value.emplace(
        GateFiles{std::move(*keys.value), std::move(*services.value), std::move(*status_page.value)});
  }
  return out;
}

}  // namespace passgate::drivers
