// [status_page]: where passgated serves the technician's status page (docs/status-page.md).
// On loopback it may go without TLS and a login; on any other address it needs both: a
// certificate and key (HTTPS) and a users file, each checked to exist at its line. A users
// file without TLS is refused too: the passwords would cross the network in the clear.

#include "common/url.hpp"
#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {

void read_status_page(TableReader& root, const std::filesystem::path& config_dir, StatusPageConfig& page) {
  auto section = root.section("status_page", Presence::optional);
  if (!section) return;
  if (const auto enabled = section->boolean("enabled")) page.enabled = *enabled;
  constexpr PathRules existing_file{Presence::optional, PathCheck::file_exists, Empty::rejected};
  if (auto path = read_path(*section, "tls_cert", existing_file, config_dir)) page.tls_cert = std::move(*path);
  if (auto path = read_path(*section, "tls_key", existing_file, config_dir)) page.tls_key = std::move(*path);
  if (auto path = read_path(*section, "users_file", existing_file, config_dir)) page.users_file = std::move(*path);
  check_pair(*section, "tls_cert", "tls_key");
  check_pair(*section, "tls_key", "tls_cert");
  const bool tls = section->node("tls_cert") != nullptr && section->node("tls_key") != nullptr;
  const bool users = section->node("users_file") != nullptr;
  if (users && !tls) {
    section->problem_at("users_file", section->name_of("users_file") +
                                          " is set without TLS: the passwords would cross the network in the clear; "
                                          "set tls_cert and tls_key too");
  }
  if (const auto text = section->text("listen", Presence::optional)) {
    const std::string name = section->name_of("listen");
    const auto listen = parse_listen(*text);
    if (!listen) {
      section->problem_at("listen", name + " is " + in_quotes(*text) + ", which " + listen.error().message + "; " +
                                        std::string(kListenExpected) + ", or another address with TLS and a login");
    } else if (!is_loopback_host(listen->address) && !(tls && users)) {
      section->problem_at("listen", name + " is " + in_quotes(*text) + ", but " + listen->address +
                                        " is not a loopback address: off loopback the page needs HTTPS and a login "
                                        "(set tls_cert, tls_key and users_file), or listen on 127.0.0.1 or ::1");
    } else {
      page.address = listen->address;
      page.port = listen->port;
    }
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
