// How a passgatectl command reaches the running gate: its control socket, named by --socket,
// or by `[control] socket` (and `group`, `readonly_socket`) in the config file --config names (default
// kDefaultConfigFile). Only those keys are read, so a config with problems elsewhere still
// finds its gate (e.g. for `passgatectl reload`, which reports them). When the default config
// file cannot be read (an operator may lack the right), the built-in socket path is used.
// Failures name the socket and what to do: start passgated, or join the operators' group.
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "tools/passgatectl/control_client.hpp"

namespace passgate::ctl {

inline constexpr const char* kDefaultConfigFile = "/etc/passgate/passgate.toml";

struct ControlTarget {
  std::string config_file;  // --config; empty: kDefaultConfigFile
  std::string socket;       // --socket; empty: the config's [control] socket
  std::chrono::milliseconds timeout{10'000};  // --timeout: for connecting and for each answer
};

// Connects to the gate `target` names. `read_only` (only status, lanes, sessions, queue will
// be asked): when the control socket is not ours to use, the read-only socket ([control]
// readonly_socket) is tried. Errors: "config_unreadable" (a config file named with
// --config), "bad_config" (it is not TOML), or ControlClient::connect's, explained.
[[nodiscard]] Result<ControlClient> connect_to_gate(const ControlTarget& target, bool read_only = false);
// Connects (read-only when drivers::is_read_only_command(request's cmd)), sends `request`
// and returns the gate's reply without its "ok".
[[nodiscard]] Result<nlohmann::json> ask_gate(const ControlTarget& target, const nlohmann::json& request);

// Prints `reply` as one line of JSON (what --json prints).
void print_json(const nlohmann::json& reply);
// Prints "passgatectl: <message>" on standard error; returns its exit code (exit_code_for:
// 3 when the gate cannot be reached, else 1).
int report_failure(const Error& error);
// What most commands do: ask_gate(target, request), then print the reply with print_json when
// `as_json`, else with `print` on standard output. Returns the exit code (0, or report_failure's).
int ask_and_print(const ControlTarget& target, const nlohmann::json& request, bool as_json,
                  void (*print)(const nlohmann::json&, std::ostream&));

}  // namespace passgate::ctl
