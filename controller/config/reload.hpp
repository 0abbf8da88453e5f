// Config reload (SIGHUP, `passgatectl reload`): which settings changed between the config in
// force and the file, which of them can change while the gate runs ("live") and which need a
// restart, and the reload itself (ConfigReloader). Config keys are named as in
// docs/configuration.md ("offline.policy"); a lane's setting as lanes.<number>.<key>
// ("lanes.2.grant_timeout_ms"), and "lanes" when lanes are added or removed or change kind.
// The table of every key and whether it reloads is in config_reload.cpp; docs/service.md
// lists it for operators.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "controller/config/config.hpp"
#include "controller/config/reload_report.hpp"

namespace passgate::controller {

enum class Reload { live, restart };

// One config key whose value differs between two configs.
struct ConfigChange {
  std::string key;
  Reload reload = Reload::restart;

  bool operator==(const ConfigChange&) const = default;
};

// Every key whose value differs between `a` and `b`, in the order of docs/configuration.md.
[[nodiscard]] std::vector<ConfigChange> compare_configs(const GateConfig& a, const GateConfig& b);

// The reload table itself: every config key once, with whether it reloads, in the order of
// docs/configuration.md; a lane's settings as "lanes.*.<key>". For the tests that hold each
// live key to a test of its behaviour (tests/config/config_live_settings_test.cpp).
[[nodiscard]] std::vector<ConfigChange> reload_table();

// `running` with every live setting taken from `file`: lanes are matched by number and kind
// (a lane only `file` has, or whose kind differs, waits for a restart); every other setting
// stays as in `running`.
[[nodiscard]] GateConfig with_live_settings(const GateConfig& running, const GateConfig& file);

// The running daemon's side of a reload: it owns the components whose settings change.
class LiveSettings {
 public:
  virtual ~LiveSettings() = default;
  // Reads the key files `config` names (issuer key set, gateway API key, payment sealing
  // keys) without putting them in force. An error (its message names the file): nothing
  // will be applied.
  [[nodiscard]] virtual Status stage_key_files(const GateConfig& config) = 0;
  // Puts the staged key files and every live setting of `config` in force. Returns the config
  // keys of the key files whose content changed ("tokens.keyset"), also when their path did not.
  virtual std::vector<std::string> apply(const GateConfig& config) = 0;
};

// Reloads the config file the daemon started with. It keeps the config the daemon started
// with (settings that need a restart stay so until it restarts) and the config in force (the
// started one with the live settings of the last reload). reload():
//   1. reads the file; a problem: nothing changes, each problem is logged and reported;
//   2. has the daemon stage the key files the new config names; one that cannot be read:
//      nothing changes;
//   3. applies the new config in force (with_live_settings) through LiveSettings::apply;
//   4. reports as applied the live keys that changed and the key files whose content
//      changed, as needs_restart every other key whose value differs from the started config,
//      and logs one line: event=config_reloaded applied=... needs_restart=...
// Single-threaded, on the event loop.
class ConfigReloader {
 public:
  ConfigReloader(GateConfig started, LiveSettings& live);

  // Reads the file the daemon started with (its `source`).
  [[nodiscard]] ReloadReport reload();
  // The same with a file already read (tests).
  [[nodiscard]] ReloadReport reload(const ConfigLoad& load);

  [[nodiscard]] const GateConfig& in_force() const { return in_force_; }

 private:
  [[nodiscard]] ReloadReport refuse(std::vector<std::string> problems) const;

  const GateConfig started_;
  GateConfig in_force_;
  LiveSettings& live_;
};

}  // namespace passgate::controller
