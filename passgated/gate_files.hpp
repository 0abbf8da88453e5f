// What passgated loads at start-up from the files and services a valid config names, through
// the very code it then runs with: the issuer key set (KeyRing::read), the payment gateway's
// API key (read_secret_text_file, GatewayClient::check_api_key), the payment sealing keys
// (PaymentSealer::load), and the HTTP clients of the tracking engine, the gateway (their
// URLs and TLS files: CA bundles, client certificate and key) and, when an entry lane has a
// card reader, the payment terminal API ([terminal]: its own key file, URL and CA bundle, or
// those of [payments]). passgated loads them before
// anything else and exits 78 (a config problem) on any; a reload loads the key files the same
// way; `passgatectl check-config` loads all of it to report every problem before a start.
// The status page's TLS certificate and key, and its users file, are loaded here too.
// Each problem names what it is about first: the config key of a file ("tokens.keyset:
// /etc/...: ..."), or the service ("tracking engine: ...", "payment gateway: ...").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>  // StatusPageFiles::tls

#include "common/clock.hpp"
#include "controller/config/config.hpp"
#include "controller/admission/key_ring.hpp"
#include "crypto/payment_sealer.hpp"
#include "crypto/users_file.hpp"
#include "drivers/gateway_client.hpp"
#include "drivers/terminal_client.hpp"
#include "drivers/tracking_client.hpp"

namespace passgate::drivers {

// A value, or every problem that kept it from being made.
template <class T>
struct StartupLoad {
  std::optional<T> value;             // set only when problems is empty
  std::vector<std::string> problems;  // each "<config key or service>: <what is wrong>"
};

// [status_page]'s files: its TLS server context (null without tls_cert) and its users (empty
// without users_file).
struct StatusPageFiles {
  std::unique_ptr<boost::asio::ssl::context> tls;
  std::optional<crypto::UsersFile> users;
};

// Loads [status_page] tls_cert and tls_key (drivers/tls_context.hpp) and users_file; one
// problem per setting that fails. Nothing when the page is off.
[[nodiscard]] StartupLoad<StatusPageFiles> load_status_page_files(const controller::GateConfig& config);
// [status_page] users_file, read as load_status_page_files reads it (also on a reload: no
// hash is computed at its cost; a file without users is valid); its error
// "status_page.users_file: <file>:<line>: ...".
[[nodiscard]] Result<crypto::UsersFile> read_status_page_users(const controller::StatusPageConfig& page);

// The key files of a config, read and checked, not yet in force.
struct GateKeyFiles {
  controller::KeyRing::Loaded issuer_keys;
  std::string api_key;  // one line of printable ASCII that can go into a header
  crypto::PaymentSealer sealer;
};

// The HTTP clients of the tracking engine and the payment gateway, and of the payment
// terminal API when an entry lane has a terminal_reader (else null). Nothing is sent yet.
struct GateServices {
  std::unique_ptr<TrackingClient> tracking;
  std::unique_ptr<GatewayClient> gateway;
  std::unique_ptr<TerminalClient> terminal;
};

// Whether an entry lane of `config` has a card reader (card-tap entry).
[[nodiscard]] bool has_card_readers(const controller::GateConfig& config);

// Reads tokens.keyset, payments.api_key_file, payments.seal_key_file and
// payments.previous_seal_key_files; one problem per setting that fails.
[[nodiscard]] StartupLoad<GateKeyFiles> load_key_files(const controller::GateConfig& config);

// Everything passgated loads at start-up from what the config names.
struct GateFiles {
  GateKeyFiles keys;  // its api_key moved into services.gateway
  GateServices services;
  StatusPageFiles status_page;
};

// load_key_files, then both HTTP clients on `io` (nothing is sent yet), the gateway's with the
// API key read (without one, only the tracking client is made and checked): every problem.
// The gateway's client reads its replies (a Retry-After date) against `clock`'s wall time
// (`clock` must outlive it).
[[nodiscard]] StartupLoad<GateFiles> open_gate_files(boost::asio::io_context& io, const controller::GateConfig& config,
                                                     const Clock& clock);
// The same on the system's clock (common/system_clock.hpp): for what sends nothing.
[[nodiscard]] StartupLoad<GateFiles> open_gate_files(boost::asio::io_context& io, const controller::GateConfig& config);

}  // namespace passgate::drivers
