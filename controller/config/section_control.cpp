// [control]: where passgatectl reaches the running gate, and who may.

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"
#include "controller/config/system_group.hpp"

namespace passgate::controller {

void read_control(TableReader& root, const std::filesystem::path& config_dir, ControlConfig& control) {
  auto section = root.section("control", Presence::optional);
  if (!section) return;
  // The socket appears when the gate starts; its directory may be created by systemd then.
  if (auto socket = read_path(*section, "socket", {Presence::optional, PathCheck::none, Empty::rejected}, config_dir)) {
    control.socket = std::move(*socket);
  }
  const auto read_group = [&](std::string_view key, std::string_view without, std::string& out) {
    auto group = section->text(key, Presence::optional, Empty::allowed);
    if (!group) return;
    if (!group->empty() && !find_group(*group)) {
      section->problem_at(key, "group " + in_quotes(*group) + " does not exist on this machine; create it (groupadd " +
                                   *group + ") or leave the key out " + std::string(without));
    }
    out = std::move(*group);
  };
  read_group("group", "to use the service's own group", control.group);
  if (auto socket =
          read_path(*section, "readonly_socket", {Presence::optional, PathCheck::none, Empty::rejected}, config_dir)) {
    control.readonly_socket = std::move(*socket);
  }
  read_group("readonly_group", "for no read-only socket", control.readonly_group);
  if (auto ms = section->integer("request_timeout_ms", {100, 60'000}, Presence::optional)) {
    control.request_timeout = std::chrono::milliseconds(*ms);
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
