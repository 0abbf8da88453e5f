#include "tools/passgatectl/gate_connection.hpp"

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string_view>

#include <toml++/toml.h>

#include "controller/config/config.hpp"
#include "controller/config/paths.hpp"
#include "drivers/control_request_parser.hpp"
#include "tools/passgatectl/exit_codes.hpp"

namespace passgate::ctl {

namespace {

namespace fs = std::filesystem;

struct SocketPlace {
  fs::path socket;
  std::string group;   // [control] group, if the config names one
  std::string source;  // where the path came from, for messages
  fs::path readonly_socket;  // for a look when the socket is not ours to use; empty with --socket
};

// [control] socket and group of `config_file`, resolved as passgated resolves them.
Result<SocketPlace> read_control_section(const fs::path& config_file) {
  std::ifstream in(config_file);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in) {
    return make_error("config_unreadable", "cannot read the config file " + config_file.string() +
                                        " to find the gate's control socket; pass --socket PATH");
  }
  toml::table document;
  try {
    document = toml::parse(text.str(), config_file.string());
  } catch (const toml::parse_error& e) {
    return make_error("bad_config", "cannot find the gate's control socket: " + config_file.string() + ":" +
                                        std::to_string(e.source().begin.line) + ": invalid TOML: " +
                                        std::string(e.description()) + " (passgatectl check-config " +
                                        config_file.string() + " explains); or pass --socket PATH");
  }
  SocketPlace place{controller::ControlConfig{}.socket, "", "the built-in default",
                    controller::ControlConfig{}.readonly_socket};
  if (const auto socket = document["control"]["socket"].value<std::string>(); socket && !socket->empty()) {
    place.socket = controller::config_directory(config_file) / *socket;
    place.source = "[control] socket in " + config_file.string();
  }
  if (const auto group = document["control"]["group"].value<std::string>()) place.group = *group;
  if (const auto socket = document["control"]["readonly_socket"].value<std::string>(); socket && !socket->empty()) {
    place.readonly_socket = controller::config_directory(config_file) / *socket;
  }
  return place;
}

Result<SocketPlace> locate(const ControlTarget& target) {
  if (!target.socket.empty()) return SocketPlace{target.socket, "", "--socket", {}};
  if (!target.config_file.empty()) return read_control_section(target.config_file);
  auto place = read_control_section(kDefaultConfigFile);
  if (place.ok() || place.error().code != "config_unreadable") return place;
  return SocketPlace{controller::ControlConfig{}.socket, "", "the built-in default",
                     controller::ControlConfig{}.readonly_socket};
}

// What an operator refused on the control socket can do. The hint names only the operators'
// group the config sets (control.group): the socket's owner group may be the service's own
// (passgate), whose members may also read the gateway key and the database.
std::string permission_hint(const SocketPlace& place) {
  if (!place.group.empty()) {
    return ": only root, the service user and members of the operators' group " + place.group +
           " (control.group) may use it. Join the group (sudo usermod -aG " + place.group +
           " \"$USER\", then log in again) or run passgatectl with sudo";
  }
  const std::string_view in_config = "[control] socket in ";
  const std::string which = place.source.starts_with(in_config) ? place.source.substr(in_config.size())
                                                                  : std::string("the gate's config");
  return ": only root and the service user may use it, because " + which +
         " sets no operators' group. Set control.group in its [control] table (e.g. \"passgate-operators\", "
         "which the package creates), restart passgated, join that group (sudo usermod -aG passgate-operators "
         "\"$USER\", then log in again); or run passgatectl with sudo";
}

Error explained(const Error& error, const SocketPlace& place) {
  const std::string where = " (the path comes from " + place.source + ")";
  if (error.code == "no_socket") {
    return make_error(error.code, error.message + where +
                                      ": passgated is not running, or it uses another socket. Check with: "
                                      "systemctl status passgated");
  }
  if (error.code == "gate_not_running") {
    return make_error(error.code, error.message + ": passgated is not running (it removes the socket when it "
                                                  "stops; check with: systemctl status passgated)");
  }
  if (error.code == "permission_denied") return make_error(error.code, error.message + permission_hint(place));
  return error;
}

}  // namespace

int exit_code_for(const Error& error) {
  // Finding the socket, connecting, and a gate that drops the connection or never answers.
  static const std::set<std::string, std::less<>> kUnreachable = {
      "config_unreadable", "bad_config", "no_socket", "gate_not_running", "permission_denied",
      "timeout",           "gate_busy",  "busy",      "io_error"};
  return kUnreachable.contains(error.code) ? kExitUnreachable : kExitFailed;
}

Result<ControlClient> connect_to_gate(const ControlTarget& target, bool read_only) {
  auto place = locate(target);
  if (!place.ok()) return place.error();
  auto client = ControlClient::connect(place->socket, target.timeout);
  if (!client.ok() && client.error().code == "permission_denied" && read_only && !place->readonly_socket.empty()) {
    // Not an operator: one of the read-only group may still look.
    if (auto look = ControlClient::connect(place->readonly_socket, target.timeout); look.ok()) return look;
  }
  if (!client.ok()) return explained(client.error(), *place);
  return client;
}

Result<nlohmann::json> ask_gate(const ControlTarget& target, const nlohmann::json& request) {
  auto gate = connect_to_gate(target, drivers::is_read_only_command(request.value("cmd", "")));
  if (!gate.ok()) return gate.error();
  auto reply = gate->request(request);
  if (!reply.ok()) return reply;
  reply->erase("ok");
  return reply;
}

void print_json(const nlohmann::json& reply) { std::cout << reply.dump() << std::endl; }

int report_failure(const Error& error) {
  std::cerr << "passgatectl: " << error.message << '\n';
  return exit_code_for(error);
}

int ask_and_print(const ControlTarget& target, const nlohmann::json& request, bool as_json,
                  void (*print)(const nlohmann::json&, std::ostream&)) {
  auto reply = ask_gate(target, request);
  if (!reply.ok()) return report_failure(reply.error());
  if (as_json) {
    print_json(*reply);
  } else {
    print(*reply, std::cout);
  }
  return 0;
}

}  // namespace passgate::ctl
