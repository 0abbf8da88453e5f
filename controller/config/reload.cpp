#include "controller/config/reload.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

namespace {

// One setting: its config key, whether it reloads, and how to compare and copy it. `Get` is a
// captureless generic lambda returning a reference to the setting in a config (const or not).
template <class Config>
struct Setting {
  std::string_view key;
  Reload reload;
  bool (*same)(const Config& a, const Config& b);
  void (*copy)(Config& to, const Config& from);
};

template <class Config, class Get>
constexpr Setting<Config> setting(std::string_view key, Reload reload, Get) {
  return Setting<Config>{key, reload, [](const Config& a, const Config& b) { return Get{}(a) == Get{}(b); },
                         [](Config& to, const Config& from) { Get{}(to) = Get{}(from); }};
}

constexpr Reload live = Reload::live;
constexpr Reload restart = Reload::restart;

// Every setting but the lanes, in the order of docs/configuration.md. Live ones are applied
// by LiveSettings::apply (the daemon's components take them through their reconfigure()).
// Restart: identity and storage (store_id, gate_id, database.path), what is opened or bound at
// start (I/O backend, lines and scanners, the control socket, the metrics listener, the log
// file) and the HTTP clients' endpoints and TLS files.
const std::vector<Setting<GateConfig>>& gate_settings() {
  using G = GateConfig;
  static const std::vector<Setting<G>> settings{
      setting<G>("store_id", restart, [](auto& c) -> auto& { return c.store_id; }),
      setting<G>("gate_id", restart, [](auto& c) -> auto& { return c.gate_id; }),
      setting<G>("tokens.issuer", live, [](auto& c) -> auto& { return c.issuer; }),
      setting<G>("tokens.keyset", live, [](auto& c) -> auto& { return c.keyset; }),
      setting<G>("tokens.clock_skew_s", live, [](auto& c) -> auto& { return c.clock_skew; }),
      setting<G>("tokens.freshness_s", live, [](auto& c) -> auto& { return c.freshness; }),
      setting<G>("entry.anti_passback", live, [](auto& c) -> auto& { return c.entry.anti_passback; }),
      setting<G>("io.backend", restart, [](auto& c) -> auto& { return c.io.backend; }),
      setting<G>("io.sim.socket", restart, [](auto& c) -> auto& { return c.io.sim_socket; }),
      setting<G>("io.sim.debounce_ms", restart, [](auto& c) -> auto& { return c.io.sim_debounce; }),
      setting<G>("io.gpiod", restart, [](auto& c) -> auto& { return c.io.gpiod_lines; }),
      setting<G>("io.scanners", restart, [](auto& c) -> auto& { return c.io.scanners; }),
      // The scanner drivers cut reads at this length when they are made, at start.
      setting<G>("io.scan_max_length", restart, [](auto& c) -> auto& { return c.io.scan_max_length; }),
      setting<G>("io.scan_repeat_window_ms", live, [](auto& c) -> auto& { return c.io.scan_repeat_window; }),
      setting<G>("tracking.base_url", restart, [](auto& c) -> auto& { return c.tracking.base_url; }),
      setting<G>("tracking.ca_bundle", restart, [](auto& c) -> auto& { return c.tracking.ca_bundle; }),
      setting<G>("tracking.client_cert", restart, [](auto& c) -> auto& { return c.tracking.client_cert; }),
      setting<G>("tracking.client_key", restart, [](auto& c) -> auto& { return c.tracking.client_key; }),
      setting<G>("tracking.entry_timeout_ms", live, [](auto& c) -> auto& { return c.tracking.entry_timeout; }),
      setting<G>("tracking.request_timeout_ms", live, [](auto& c) -> auto& { return c.tracking.request_timeout; }),
      setting<G>("tracking.outbox_alert_after_s", live,
                 [](auto& c) -> auto& { return c.tracking.outbox_alert_after; }),
      setting<G>("offline.policy", live, [](auto& c) -> auto& { return c.offline.policy; }),
      setting<G>("offline.max_admissions_per_hour", live,
                 [](auto& c) -> auto& { return c.offline.max_admissions_per_hour; }),
      setting<G>("payments.gateway_url", restart, [](auto& c) -> auto& { return c.payments.gateway_url; }),
      setting<G>("payments.api_key_file", live, [](auto& c) -> auto& { return c.payments.api_key_file; }),
      setting<G>("payments.ca_bundle", restart, [](auto& c) -> auto& { return c.payments.ca_bundle; }),
      setting<G>("payments.request_timeout_ms", live, [](auto& c) -> auto& { return c.payments.request_timeout; }),
      setting<G>("payments.entry_timeout_ms", live, [](auto& c) -> auto& { return c.payments.entry_timeout; }),
      setting<G>("payments.seal_key_file", live, [](auto& c) -> auto& { return c.payments.seal_key_file; }),
      setting<G>("payments.previous_seal_key_files", live,
                 [](auto& c) -> auto& { return c.payments.previous_seal_key_files; }),
      setting<G>("payments.currency", live, [](auto& c) -> auto& { return c.payments.currency; }),
      setting<G>("payments.hold_amount_minor", live, [](auto& c) -> auto& { return c.payments.hold_amount_minor; }),
      setting<G>("payments.max_in_flight", live, [](auto& c) -> auto& { return c.payments.max_in_flight; }),
      setting<G>("payments.max_requests_per_second", live,
                 [](auto& c) -> auto& { return c.payments.max_requests_per_second; }),
      setting<G>("payments.retry_initial_ms", live, [](auto& c) -> auto& { return c.payments.retry_initial; }),
      setting<G>("payments.retry_max_ms", live, [](auto& c) -> auto& { return c.payments.retry_max; }),
      setting<G>("payments.carts_poll_interval_ms", live,
                 [](auto& c) -> auto& { return c.payments.carts_poll_interval; }),
      setting<G>("payments.carts_page_limit", live, [](auto& c) -> auto& { return c.payments.carts_page_limit; }),
      setting<G>("payments.max_cart_minor", live, [](auto& c) -> auto& { return c.payments.max_cart_minor; }),
      setting<G>("payments.offline_limits.max_session_minor", live,
                 [](auto& c) -> auto& { return c.payments.offline_limits.max_session_minor; }),
      setting<G>("payments.offline_limits.max_outstanding_minor", live,
                 [](auto& c) -> auto& { return c.payments.offline_limits.max_outstanding_minor; }),
      setting<G>("payments.offline_limits.max_outstanding_operations", live,
                 [](auto& c) -> auto& { return c.payments.offline_limits.max_outstanding_operations; }),
      setting<G>("payments.offline_limits.max_age_s", live,
                 [](auto& c) -> auto& { return c.payments.offline_limits.max_age; }),
      // The terminal client is made at start, with the card entry it serves.
      setting<G>("terminal.api_url", restart, [](auto& c) -> auto& { return c.terminal.api_url; }),
      setting<G>("terminal.api_key_file", restart, [](auto& c) -> auto& { return c.terminal.api_key_file; }),
      setting<G>("terminal.ca_bundle", restart, [](auto& c) -> auto& { return c.terminal.ca_bundle; }),
      setting<G>("terminal.stripe_version", restart, [](auto& c) -> auto& { return c.terminal.stripe_version; }),
      setting<G>("terminal.hold_amount_minor", restart, [](auto& c) -> auto& { return c.terminal.hold_amount_minor; }),
      setting<G>("terminal.request_timeout_ms", restart, [](auto& c) -> auto& { return c.terminal.request_timeout; }),
      setting<G>("terminal.connect_timeout_ms", restart, [](auto& c) -> auto& { return c.terminal.connect_timeout; }),
      setting<G>("terminal.auth_timeout_ms", restart, [](auto& c) -> auto& { return c.terminal.auth_timeout; }),
      setting<G>("terminal.poll_fast_ms", restart, [](auto& c) -> auto& { return c.terminal.poll_fast; }),
      setting<G>("terminal.poll_slow_ms", restart, [](auto& c) -> auto& { return c.terminal.poll_slow; }),
      setting<G>("terminal.rearm_interval_s", restart, [](auto& c) -> auto& { return c.terminal.rearm_interval; }),
      setting<G>("terminal.capture_margin_s", restart, [](auto& c) -> auto& { return c.terminal.capture_margin; }),
      setting<G>("database.path", restart, [](auto& c) -> auto& { return c.database; }),
      setting<G>("database.retention_days", live, [](auto& c) -> auto& { return c.retention.retention_days; }),
      setting<G>("database.audit_retention_days", live,
                 [](auto& c) -> auto& { return c.retention.audit_retention_days; }),
      setting<G>("control.socket", restart, [](auto& c) -> auto& { return c.control.socket; }),
      setting<G>("control.group", restart, [](auto& c) -> auto& { return c.control.group; }),
      setting<G>("control.request_timeout_ms", restart, [](auto& c) -> auto& { return c.control.request_timeout; }),
      setting<G>("control.readonly_socket", restart, [](auto& c) -> auto& { return c.control.readonly_socket; }),
      setting<G>("control.readonly_group", restart, [](auto& c) -> auto& { return c.control.readonly_group; }),
      setting<G>("metrics.enabled", restart, [](auto& c) -> auto& { return c.metrics.enabled; }),
      setting<G>("metrics.listen", restart, [](auto& c) -> auto& { return c.metrics.address; }),
      setting<G>("metrics.listen", restart, [](auto& c) -> auto& { return c.metrics.port; }),
      setting<G>("status_page.enabled", restart, [](auto& c) -> auto& { return c.status_page.enabled; }),
      setting<G>("status_page.listen", restart, [](auto& c) -> auto& { return c.status_page.address; }),
      setting<G>("status_page.listen", restart, [](auto& c) -> auto& { return c.status_page.port; }),
      setting<G>("status_page.tls_cert", restart, [](auto& c) -> auto& { return c.status_page.tls_cert; }),
      setting<G>("status_page.tls_key", restart, [](auto& c) -> auto& { return c.status_page.tls_key; }),
      setting<G>("status_page.users_file", restart, [](auto& c) -> auto& { return c.status_page.users_file; }),
      setting<G>("logging.level", live, [](auto& c) -> auto& { return c.logging.level; }),
      setting<G>("logging.file", restart, [](auto& c) -> auto& { return c.logging.file; }),
      setting<G>("store", restart, [](auto& c) -> auto& { return c.store; }),
  };
  return settings;
}

// A lane's settings; its number and kind identify it. All but the card reader reload
// (Lane::reconfigure); the reader is bound to the lane's card entry at start.
const std::vector<Setting<LaneConfig>>& lane_settings() {
  using L = LaneConfig;
  static const std::vector<Setting<L>> settings{
      setting<L>("group_limit", live, [](auto& l) -> auto& { return l.group_limit; }),
      setting<L>("grant_timeout_ms", live, [](auto& l) -> auto& { return l.grant_timeout; }),
      setting<L>("close_retry_ms", live, [](auto& l) -> auto& { return l.close_retry; }),
      setting<L>("close_retries", live, [](auto& l) -> auto& { return l.close_retries; }),
      setting<L>("beam_blocked_alarm_ms", live, [](auto& l) -> auto& { return l.beam_blocked_alarm; }),
      setting<L>("out_of_service", live, [](auto& l) -> auto& { return l.out_of_service; }),
      setting<L>("terminal_reader", restart, [](auto& l) -> auto& { return l.terminal_reader; }),
  };
  return settings;
}

// The lane of `config` with `lane`'s number and kind, or null.
const LaneConfig* same_lane(const GateConfig& config, const LaneConfig& lane) {
  const auto it = std::find_if(config.lanes.begin(), config.lanes.end(), [&lane](const LaneConfig& l) {
    return l.number == lane.number && l.kind == lane.kind;
  });
  return it == config.lanes.end() ? nullptr : &*it;
}

std::map<int, LaneKind> lane_set(const GateConfig& config) {
  std::map<int, LaneKind> out;
  for (const LaneConfig& l : config.lanes) out.emplace(l.number, l.kind);
  return out;
}

void add_once(std::vector<std::string>& list, const std::string& key) {
  if (std::find(list.begin(), list.end(), key) == list.end()) list.push_back(key);
}

void add_once(std::vector<ConfigChange>& list, ConfigChange change) {
  if (std::find(list.begin(), list.end(), change) == list.end()) list.push_back(std::move(change));
}

std::string key_list(const std::vector<std::string>& keys) {
  if (keys.empty()) return "none";
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ",") + k;
  return out;
}

}  // namespace

std::vector<ConfigChange> compare_configs(const GateConfig& a, const GateConfig& b) {
  std::vector<ConfigChange> changes;
  const auto& settings = gate_settings();
  // The lanes come after [tokens], as in the file.
  const auto lanes_at = std::find_if(settings.begin(), settings.end(),
                                     [](const auto& s) { return s.key == "entry.anti_passback"; });
  const auto compare = [&](auto from, auto to) {
    for (auto it = from; it != to; ++it) {
      if (!it->same(a, b)) add_once(changes, ConfigChange{std::string(it->key), it->reload});
    }
  };
  compare(settings.begin(), lanes_at);
  if (lane_set(a) != lane_set(b)) changes.push_back(ConfigChange{"lanes", restart});
  for (const LaneConfig& lane : a.lanes) {
    const LaneConfig* other = same_lane(b, lane);
    if (other == nullptr) continue;
    for (const auto& s : lane_settings()) {
      if (!s.same(lane, *other)) {
        changes.push_back(ConfigChange{"lanes." + std::to_string(lane.number) + "." + std::string(s.key), s.reload});
      }
    }
  }
  compare(lanes_at, settings.end());
  return changes;
}

std::vector<ConfigChange> reload_table() {
  std::vector<ConfigChange> table;
  const auto& settings = gate_settings();
  const auto lanes_at = std::find_if(settings.begin(), settings.end(),
                                     [](const auto& s) { return s.key == "entry.anti_passback"; });
  for (auto it = settings.begin(); it != lanes_at; ++it) {
    add_once(table, ConfigChange{std::string(it->key), it->reload});
  }
  add_once(table, ConfigChange{"lanes", restart});
  for (const auto& s : lane_settings()) add_once(table, ConfigChange{"lanes.*." + std::string(s.key), s.reload});
  for (auto it = lanes_at; it != settings.end(); ++it) {
    add_once(table, ConfigChange{std::string(it->key), it->reload});
  }
  return table;
}

GateConfig with_live_settings(const GateConfig& running, const GateConfig& file) {
  GateConfig out = running;
  for (const auto& s : gate_settings()) {
    if (s.reload == live) s.copy(out, file);
  }
  for (LaneConfig& lane : out.lanes) {
    if (const LaneConfig* other = same_lane(file, lane)) {
      for (const auto& s : lane_settings()) {
        if (s.reload == live) s.copy(lane, *other);
      }
    }
  }
  return out;
}

ConfigReloader::ConfigReloader(GateConfig started, LiveSettings& live_settings)
    : started_(std::move(started)), in_force_(started_), live_(live_settings) {}

ReloadReport ConfigReloader::reload() { return reload(load_config(started_.source)); }

ReloadReport ConfigReloader::reload(const ConfigLoad& load) {
  if (!load.problems.empty() || !load.config) {
    std::vector<std::string> problems;
    for (const ConfigProblem& p : load.problems) problems.push_back(format_problem(p));
    return refuse(std::move(problems));
  }
  const GateConfig& file = *load.config;
  if (auto staged = live_.stage_key_files(file); !staged.ok()) return refuse({staged.error().message});

  GateConfig next = with_live_settings(in_force_, file);
  ReloadReport report;
  report.reloaded = true;
  for (const ConfigChange& c : compare_configs(in_force_, next)) add_once(report.applied, c.key);
  for (const std::string& key : live_.apply(next)) add_once(report.applied, key);
  for (const ConfigChange& c : compare_configs(started_, file)) {
    if (c.reload == restart) add_once(report.needs_restart, c.key);
  }
  in_force_ = std::move(next);
  spdlog::info("event=config_reloaded file={} applied={} needs_restart={}", log_value(started_.source.string()),
               log_value(key_list(report.applied)), log_value(key_list(report.needs_restart)));
  return report;
}

ReloadReport ConfigReloader::refuse(std::vector<std::string> problems) const {
  for (const std::string& p : problems) spdlog::error("event=config_reload_problem problem={}", log_value(p));
  spdlog::error("event=config_reload_refused file={} problems={} detail={}", log_value(started_.source.string()),
                problems.size(), log_value("nothing changed; the settings in force stay"));
  return ReloadReport{false, std::move(problems), {}, {}, {}};
}

}  // namespace passgate::controller
