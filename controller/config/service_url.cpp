// read_service_url: the URL of a service the gate talks to ([tracking] base_url, [payments]
// gateway_url), checked the same way for each.
#include "controller/config/sections.hpp"
#include "common/url.hpp"

namespace passgate::controller {

std::optional<std::string> read_service_url(TableReader& section, std::string_view key, Presence presence,
                                            std::string_view example) {
  auto url = section.text(key, presence);
  if (!url) return std::nullopt;
  const std::string name = section.name_of(key);
  const auto parsed = parse_base_url(*url);
  if (!parsed) {
    section.problem_at(key, name + " is " + in_quotes(*url) + ", " + parsed.error().message +
                                ", expected a URL such as \"" + std::string(example) + "\"");
    return std::nullopt;
  }
  if (parsed->scheme == "http" && !is_loopback_host(parsed->host)) {
    section.problem_at(key, name + " is " + in_quotes(*url) +
                                ", plain http is allowed only to a loopback host (127.0.0.0/8, ::1, "
                                "localhost), expected an https:// URL");
    return std::nullopt;
  }
  while (url->ends_with('/')) url->pop_back();
  return url;
}

}  // namespace passgate::controller
