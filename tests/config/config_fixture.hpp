// ConfigFixture: a temp dir holding what the minimal valid config refers to (its key set,
// database directory, gateway API key and payment sealing key), and helpers that check
// variants of that config and return each problem as "gate.toml:line:column: message".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "controller/config/config.hpp"
#include "tests/support/minimal_gate_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {

// A valid config with the sim backend; its line numbers are what the tests count from:
// [tokens] on line 4, lanes on 8 and 12, [io] on 16, [io.sim] on 19, [tracking] on 22,
// [database] on 25, [payments] on 28 (api_key_file on 29, seal_key_file on 30, the last line).
inline constexpr std::string_view kMinimalConfig = kMinimalGateConfig;

// The same with backend = "gpiod" and a complete [io.gpiod] table from line 19 on:
// [io.gpiod] on 19, [io.gpiod.lines] on 22, "lane1.beam_outer" on 23, fire_alarm on 37,
// [tracking] on 39, [database] on 42, [payments] on 45, [io.scanners."lane1.entry"] on 49
// (a serial scanner, device on 51, the last line).
extern const std::string_view kMinimalGpiodConfig;

// "gate.toml:<line>:<column of the value in `key_line`>: <message>": a problem at the value of
// the key written as `key_line` ("name = value") on `line`.
[[nodiscard]] inline std::string at_value(int line, std::string_view key_line, std::string_view message) {
  return "gate.toml:" + std::to_string(line) + ":" + std::to_string(key_line.find('=') + 3) + ": " + std::string(message);
}

class ConfigFixture {
 public:
  // Creates keys.jwks.json, db/, and the secrets gateway.key and seal.key (32 bytes), mode 0600.
  ConfigFixture();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::string file() const { return (dir() / "gate.toml").string(); }
  void create_file(const std::string& relative) const;
  // A file only its owner may read and write, unless `mode` says otherwise.
  void create_secret(const std::string& relative, const std::string& content,
                     std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_write) const;

  [[nodiscard]] controller::ConfigLoad parse(std::string_view text) const;
  // Every problem, formatted, with the temp dir's path removed ("gate.toml:3:1: ...").
  [[nodiscard]] std::vector<std::string> problems(std::string_view text) const;

 private:
  TempDir dir_;
};

}  // namespace passgate::test
