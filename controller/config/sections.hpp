// Internal to config loading: one reader per part of the config file. Each reads its keys
// from the top-level TableReader into GateConfig, reporting every problem it finds; none
// stops at the first. config_loader.cpp calls them all, lanes before io.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "controller/config/config.hpp"
#include "controller/config/reader.hpp"

namespace passgate::controller {

// store_id, gate_id and [tokens] (config_section_tokens.cpp).
void read_identity_and_tokens(TableReader& root, const std::filesystem::path& config_dir, GateConfig& config);
// [[lanes]] (config_section_lanes.cpp).
void read_lanes(TableReader& root, std::vector<LaneConfig>& lanes);
// [entry] (config_section_entry.cpp).
void read_entry(TableReader& root, EntryConfig& entry);
// [io], [io.sim] (config_section_io.cpp).
void read_io(TableReader& root, const std::vector<LaneConfig>& lanes, const std::filesystem::path& config_dir,
             IoConfig& io);
// [io.gpiod]; `in_use` when backend = "gpiod", which requires a line for every lane role
// (config_section_gpiod.cpp).
void read_gpiod(TableReader& gpiod, bool in_use, const std::vector<LaneConfig>& lanes, IoConfig& io);
// io.scan_max_length and [io.scanners]; `in_use` when backend = "gpiod", which requires a
// scanner for every entry lane; `sim` when backend = "sim", which allows none
// (config_section_scanners.cpp).
void read_scanners(TableReader& io_section, bool in_use, bool sim, const std::vector<LaneConfig>& lanes, IoConfig& io);
// [tracking] (config_section_tracking.cpp).
void read_tracking(TableReader& root, const std::filesystem::path& config_dir, TrackingConfig& tracking);
// [offline] (config_section_offline.cpp).
void read_offline(TableReader& root, OfflineConfig& offline);
// [payments], [payments.offline_limits] (config_section_payments.cpp).
void read_payments(TableReader& root, const std::filesystem::path& config_dir, PaymentsConfig& payments);
// [terminal]: the card readers' API, timeouts and polls (section_terminal.cpp).
void read_terminal(TableReader& root, const std::filesystem::path& config_dir, TerminalConfig& terminal);
// Shared by the sections that name a service: the URL at `key` without a trailing slash;
// nothing if it is absent, malformed, or plain http to a host that is not loopback
// (reported, with `example` as the expected form) (config_service_url.cpp).
[[nodiscard]] std::optional<std::string> read_service_url(TableReader& section, std::string_view key,
                                                          Presence presence, std::string_view example);
// A key that needs its partner (a certificate its key, and the other way round): a problem at
// `present` when it is set and `partner` is not (config_section_tracking.cpp).
void check_pair(TableReader& section, std::string_view present, std::string_view partner);
// [control]: the control socket (config_section_control.cpp).
void read_control(TableReader& root, const std::filesystem::path& config_dir, ControlConfig& control);
// [metrics]: the metrics and health HTTP listener, loopback only (config_section_metrics.cpp).
void read_metrics(TableReader& root, MetricsConfig& metrics);
// "address:port" with an IP address (IPv6 in brackets), as [metrics] and [status_page] listen.
struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};
// Error code "bad_listen"; the message says what is wrong ("has no port").
[[nodiscard]] Result<ListenAddress> parse_listen(std::string_view text);
// How a listen value should look, for messages.
inline constexpr std::string_view kListenExpected =
    "expected \"address:port\" with a loopback IP address, e.g. \"127.0.0.1:9464\" or \"[::1]:9464\" (port 0: any "
    "free port)";
// [status_page]: the status page's listener, TLS files and users file (section_status_page.cpp).
void read_status_page(TableReader& root, const std::filesystem::path& config_dir, StatusPageConfig& status_page);
// [database] and [logging]: what the gate writes to local disk (config_section_storage.cpp).
void read_storage(TableReader& root, const std::filesystem::path& config_dir, GateConfig& config);

// [store]: the store's etcd cluster; `store_id` names its keys (section_store.cpp);
// `clock_skew` ([tokens]) bounds its lease_skew_s from below.
void read_store(TableReader& root, const std::filesystem::path& config_dir, const std::string& store_id,
                std::chrono::seconds clock_skew, StoreConfig& config);

}  // namespace passgate::controller
