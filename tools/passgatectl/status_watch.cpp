#include "tools/passgatectl/status_watch.hpp"

#include <unistd.h>

#include <iostream>
#include <optional>

#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/watch.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

json without_clock(const json& reply) {
  if (reply.is_array()) {
    json out = json::array();
    for (const auto& item : reply) out.push_back(without_clock(item));
    return out;
  }
  if (!reply.is_object()) return reply;
  json out = json::object();
  for (const auto& [key, value] : reply.items()) {
    if (key == "uptime_s" || key.ends_with("age_s") || key == "noticed_s_ago") continue;
    out[key] = without_clock(value);
  }
  return out;
}

int watch_status(const Cli& cli, std::chrono::milliseconds interval, void (*print)(const json&, std::ostream&)) {
  const StopSignals stop;
  const bool terminal = !cli.json && ::isatty(STDOUT_FILENO) == 1;
  std::optional<json> shown;
  while (true) {
    auto reply = ask_gate(cli.target, json{{"cmd", "status"}});
    if (!reply.ok()) return shown ? report_gate_gone(reply.error()) : report_failure(reply.error());
    if (json now = without_clock(*reply); !shown || now != *shown) {
      shown = std::move(now);
      if (cli.json) {
        std::cout << reply->dump() << '\n';
      } else {
        const std::string at = format_time(unix_now_ms());
        if (terminal) {
          std::cout << "\033[H\033[2J" << "passgatectl status --watch: redrawn when something changes (last at " << at
                    << "); Ctrl-C ends it\n\n";
        } else {
          std::cout << "=== " << at << '\n';
        }
        print(*reply, std::cout);
        if (!terminal) std::cout << '\n';
      }
      std::cout.flush();
    }
    if (stop_requested_within(interval)) return kExitOk;
  }
}

}  // namespace passgate::ctl
