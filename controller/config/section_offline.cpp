// [offline]: what the gate does with verified tokens while the tracking engine is unreachable.
#include <array>

#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<OfflinePolicy>, 2> kPolicies{{{"deny", OfflinePolicy::deny}, {"admit", OfflinePolicy::admit}}};

}  // namespace

void read_offline(TableReader& root, OfflineConfig& offline) {
  auto section = root.section("offline", Presence::optional);
  if (!section) return;
  if (auto policy = section->choice<OfflinePolicy>("policy", kPolicies, Presence::optional)) offline.policy = *policy;
  // Checked with either policy, so that switching to "admit" during an outage is safe.
  if (auto cap = section->integer("max_admissions_per_hour", {0, 10000}, Presence::optional)) {
    offline.max_admissions_per_hour = static_cast<int>(*cap);
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
