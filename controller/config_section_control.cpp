// [control]: where passgatectl reaches the running gate, and who may.

#include "controller/config_paths.hpp"
#include "controller/config_sections.hpp"
#include "controller/system_group.hpp"

namespace passgate::controller {

void read_control(TableReader& root, const std::filesystem::path& config_dir, ControlConfig& control) {
  auto section = root.section("control", Presence::optional);
  if (!section) return;
  // The socket appears when the gate starts; its directory may be created by systemd then.
  if (auto socket = read_path(*section, "socket", {Presence::optional, PathCheck::none, Empty::rejected}, config_dir)) {
    control.socket = std::move(*socket);
  }
  if (auto group = section->text("group", Presence::optional, Empty::allowed)) {
    if (!group->empty() && !find_group(*group)) {
      section->problem_at("group", "group " + in_quotes(*group) +
                                       " does not exist on this machine; create it (groupadd " + *group +
                                       ") or leave the key out to use the service's own group");
    }
    control.group = std::move(*group);
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
