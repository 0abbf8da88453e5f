// [tracking]: where the store's tracking engine is and how the gate authenticates to it.
#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {

void check_pair(TableReader& tracking, std::string_view present, std::string_view partner) {
  if (tracking.node(present) == nullptr || tracking.node(partner) != nullptr) return;
  tracking.problem_at(present, tracking.name_of(present) + " is set but " + tracking.name_of(partner) +
                                   " is not, expected both or neither");
}

void read_tracking(TableReader& root, const std::filesystem::path& config_dir, TrackingConfig& tracking) {
  auto section = root.section("tracking", Presence::required, "a [tracking] table with base_url");
  if (!section) return;
  if (auto url = read_service_url(*section, "base_url", Presence::required, "https://tracking.store.local:8443")) {
    tracking.base_url = std::move(*url);
  }
  const PathRules existing_file{Presence::optional, PathCheck::file_exists};
  if (auto path = read_path(*section, "ca_bundle", existing_file, config_dir)) tracking.ca_bundle = std::move(*path);
  if (auto path = read_path(*section, "client_cert", existing_file, config_dir)) tracking.client_cert = std::move(*path);
  if (auto path = read_path(*section, "client_key", existing_file, config_dir)) tracking.client_key = std::move(*path);
  check_pair(*section, "client_cert", "client_key");
  check_pair(*section, "client_key", "client_cert");
  if (auto ms = section->integer("entry_timeout_ms", {50, 5000}, Presence::optional)) {
    tracking.entry_timeout = std::chrono::milliseconds(*ms);
  }
  if (auto ms = section->integer("request_timeout_ms", {100, 60000}, Presence::optional)) {
    tracking.request_timeout = std::chrono::milliseconds(*ms);
  }
  if (auto s = section->integer("outbox_alert_after_s", {60, 7 * 24 * 3600}, Presence::optional)) {
    tracking.outbox_alert_after = std::chrono::seconds(*s);
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
