// GateConfig: everything store IT sets in the one TOML config file, already validated.
// load_config() reads and checks a file and reports every problem it finds as
// "file:line:column: what is wrong, what is expected" (see docs/configuration.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "controller/config/store_config.hpp"
#include "hw/io_config.hpp"

namespace passgate::controller {

enum class LaneKind { entry, exit };

struct LaneConfig {
  int number = 0;                       // 1, 2, ... ; line names are lane<number>.<role>
  LaneKind kind = LaneKind::entry;
  int group_limit = 4;                  // most people one scan admits (1-10)
  std::chrono::milliseconds grant_timeout{8000};
  std::chrono::milliseconds beam_blocked_alarm{20000};  // a beam blocked this long is an alarm
  std::chrono::milliseconds close_retry{2000};  // entry: retry closing a blocked barrier this often...
  int close_retries = 3;                // ...this many times, then the lane goes to its fault state
  bool out_of_service = false;          // starts out of service (scans refused, egress free)
  std::string terminal_reader;          // entry: its card reader ("tmr_..."), [terminal]; "": none
};

// Anti-passback: a shopper whose session at this store is still open scans again.
enum class AntiPassback { off, soft, hard };  // soft: admit and log; hard: deny already_inside

// [entry]: admission rules common to every entry lane.
struct EntryConfig {
  AntiPassback anti_passback = AntiPassback::hard;
};

// [io]: the gate's inputs and outputs (hw/io_config.hpp, beside the drivers that take them).
using hw::GpiodLineConfig;
using hw::IoBackendKind;
using hw::IoConfig;
using hw::LineBias;
using hw::ScannerConfig;
using hw::ScannerKind;

struct TrackingConfig {
  std::string base_url;                 // http://127.0.0.1:8080 (loopback only) or https://...
  std::filesystem::path ca_bundle;      // empty: system trust store
  std::filesystem::path client_cert;    // empty: no client certificate
  std::filesystem::path client_key;
  std::chrono::milliseconds entry_timeout{800};     // POST /v1/sessions on the entry path
  std::chrono::milliseconds request_timeout{5000};  // everything else (outbox)
  // The outbox counts as stuck (status, /healthz) once its oldest message is this old.
  std::chrono::seconds outbox_alert_after{900};
};

enum class OfflinePolicy { deny, admit };

struct OfflineConfig {
  OfflinePolicy policy = OfflinePolicy::deny;
  int max_admissions_per_hour = 60;     // cap on offline admissions, policy admit only
};

// While the payment gateway is unreachable, entries that need a hold are admitted only within
// these limits; beyond any of them they are denied (offline_limit). Exits are never affected.
struct OfflineRiskLimits {
  std::int64_t max_session_minor = 5000;        // most held or owed per session admitted offline
  std::int64_t max_outstanding_minor = 100000;  // most owed in total by queued operations
  int max_outstanding_operations = 500;         // most queued operations
  std::chrono::seconds max_age{86400};          // oldest allowed queued operation
};

struct PaymentsConfig {
  std::string gateway_url = "https://api.stripe.com";  // no trailing slash; http only to loopback
  std::filesystem::path api_key_file;   // the gateway's secret key, one line; mode 0600 or stricter
  std::filesystem::path ca_bundle;      // empty: system trust store
  std::chrono::milliseconds request_timeout{10000};  // every gateway request but the preauth at entry
  std::chrono::milliseconds entry_timeout{1500};     // the preauth while a shopper waits at the lane
  std::filesystem::path seal_key_file;  // 32 random bytes, mode 0600 or stricter: seals payment references
  std::vector<std::filesystem::path> previous_seal_key_files;  // older keys, still used to open
  std::string currency = "USD";         // ISO 4217, upper case
  std::int64_t hold_amount_minor = 0;   // pre-authorization at entry, minor units; 0: none
  int max_in_flight = 4;                // most gateway requests at once while draining the queue
  int max_requests_per_second = 10;     // the drain's pace (RequestPacer); 0: unpaced
  std::chrono::milliseconds retry_initial{1000};  // first backoff after an unknown outcome
  std::chrono::milliseconds retry_max{300000};    // backoff cap
  std::chrono::milliseconds carts_poll_interval{2000};  // final-carts feed
  int carts_page_limit = 100;           // carts asked for per feed request
  // The largest cart total the gate charges, minor units (10000000: 100,000.00 USD); a
  // larger cart is quarantined for an operator, never charged.
  std::int64_t max_cart_minor = 10'000'000;
  OfflineRiskLimits offline_limits;
};

// [terminal]: the entry lanes' card readers (card-tap entry), reached through the payment
// terminal API (docs/interfaces/payment-terminal.md); each such lane names its reader
// (LaneConfig::terminal_reader). Empty URL, key file and CA bundle: those of [payments].
struct TerminalConfig {
  std::string api_url;                  // no trailing slash; "": payments.gateway_url
  std::filesystem::path api_key_file;   // "": payments.api_key_file; mode 0600 or stricter
  std::filesystem::path ca_bundle;      // "": payments.ca_bundle
  std::string stripe_version = "2026-05-27.dahlia";  // Stripe-Version sent with every request
  std::int64_t hold_amount_minor = 3000;  // the card-present hold at entry, minor units
  std::chrono::milliseconds request_timeout{10000};  // each request, connect to last byte
  std::chrono::milliseconds connect_timeout{3000};   // making a new connection (<= request)
  std::chrono::milliseconds auth_timeout{30000};     // tap to a known PaymentIntent outcome
  std::chrono::milliseconds poll_fast{250};          // reader polls while a person is in the lane
  std::chrono::milliseconds poll_slow{2000};         // reader polls otherwise (>= poll_fast)
  std::chrono::seconds rearm_interval{600};          // an idle armed lane abandons and re-arms
  std::chrono::seconds capture_margin{3600};         // alert when a cart is not final this long
                                                     // before the hold's capture_before
};

// The local control socket passgatectl talks to (lanes in or out of service, hardware checks).
struct ControlConfig {
  std::filesystem::path socket = "/run/passgate/control.sock";  // mode 0660
  std::string group;                    // owner group of the socket (operators); empty: the service's own
  std::chrono::milliseconds request_timeout{5000};  // a connection owing a whole request longer is closed
  // The read-only socket: status, lanes, sessions and the queue view, for readonly_group.
  std::filesystem::path readonly_socket = "/run/passgate/control-ro.sock";  // mode 0660
  std::string readonly_group;           // its owner group; empty: no read-only socket
};

// [metrics]: Prometheus metrics and the health check over HTTP (docs/metrics.md), on a
// loopback address only.
struct MetricsConfig {
  bool enabled = true;
  std::string address = "127.0.0.1";    // an IPv4 or IPv6 loopback address (listen = "127.0.0.1:9464")
  std::uint16_t port = 9464;            // 0: any free port, logged at start
};

// [status_page]: the technician's read-only status page over HTTP (docs/status-page.md). On a
// loopback address by default; any other address needs TLS (cert and key) and a users file.
struct StatusPageConfig {
  bool enabled = true;
  std::string address = "127.0.0.1";    // listen = "127.0.0.1:9465"
  std::uint16_t port = 9465;            // 0: any free port, logged at start
  std::filesystem::path tls_cert;       // PEM chain, leaf first; set with tls_key: HTTPS
  std::filesystem::path tls_key;        // PEM private key of tls_cert
  std::filesystem::path users_file;     // "user:crypt(3) hash" lines; set: a login is required
};

// [database]: how long the gate keeps its final records (db/retention.hpp says which are
// final; controller/storage/retention_sweeper.hpp deletes them).
struct RetentionConfig {
  int retention_days = 90;          // sessions and their carts, settlements and payment operations
  int audit_retention_days = 365;   // the audit log and resolved quarantined carts; >= retention_days
};

struct LoggingConfig {
  std::string level = "info";           // trace, debug, info, warn, error
  std::filesystem::path file;           // empty: standard error (journald under systemd)
};

// A new setting: say in controller/config/reload.cpp whether a reload applies it (and how) or
// it needs a restart.
struct GateConfig {
  std::filesystem::path source;         // the file this was read from
  std::string store_id;
  std::string gate_id;
  // entry tokens
  std::string issuer;
  std::filesystem::path keyset;         // JWKS file of the issuer's public keys
  std::chrono::seconds clock_skew{5};
  std::chrono::seconds freshness{90};
  std::vector<LaneConfig> lanes;
  EntryConfig entry;
  IoConfig io;
  TrackingConfig tracking;
  OfflineConfig offline;
  PaymentsConfig payments;
  TerminalConfig terminal;
  std::filesystem::path database;
  RetentionConfig retention;            // [database] retention_days, audit_retention_days
  ControlConfig control;
  MetricsConfig metrics;
  StatusPageConfig status_page;
  LoggingConfig logging;
  StoreConfig store;                    // [store]; disabled when absent
};

// One problem found in a config file. `line`/`column` are 1-based; 0 when unknown.
struct ConfigProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;  // "what is wrong, what is expected"
};

// "file:line:column: message"
[[nodiscard]] std::string format_problem(const ConfigProblem& p);

struct ConfigLoad {
  std::optional<GateConfig> config;      // set only when problems is empty
  std::vector<ConfigProblem> problems;   // every problem found, in file order
};

// Reads and validates a config file. Never throws.
[[nodiscard]] ConfigLoad load_config(const std::filesystem::path& file);
// Same, from text (tests); `name` is used in problem messages.
[[nodiscard]] ConfigLoad parse_config(std::string_view text, const std::string& name);

}  // namespace passgate::controller
