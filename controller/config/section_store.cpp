// [store]: the store's etcd cluster for the store-wide coordination (store_config.hpp).
#include <array>
#include <set>

#include "common/url.hpp"
#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<StoreFallback>, 2> kFallbacks{{{"local", StoreFallback::local}, {"deny", StoreFallback::deny}}};
constexpr std::size_t kMaxMembers = 9;
constexpr std::string_view kExample = "\"https://10.20.0.11:2379\"";

void read_endpoints(TableReader& store, StoreConfig& config) {
  const toml::array* endpoints = store.array("endpoints", Presence::required, "an array of etcd member URLs");
  if (endpoints == nullptr) return;
  if (endpoints->empty() || endpoints->size() > kMaxMembers) {
    store.problem_at("endpoints", store.name_of("endpoints") + " has " + std::to_string(endpoints->size()) +
                                      " entries, expected 1 to " + std::to_string(kMaxMembers) +
                                      " etcd members such as " + std::string(kExample));
    return;
  }
  std::set<std::string> seen;
  for (const auto& node : *endpoints) {
    const auto* text = node.as_string();
    const auto where = store.name_of("endpoints") + " entry ";
    if (text == nullptr) {
      store.problem_at_node(node, where + "is " + describe_type(node) + ", expected a URL such as " + std::string(kExample));
      continue;
    }
    const auto& url = text->get();
    const auto parsed = parse_base_url(url);
    if (!parsed || parsed->scheme != "https" || !parsed->path.empty()) {
      store.problem_at_node(node, where + in_quotes(url) +
                                      " is not an etcd member's URL, expected https://host:port with no path, such as " +
                                      std::string(kExample));
      continue;
    }
    if (!seen.insert(url).second) {
      store.problem_at_node(node, where + in_quotes(url) + " is listed twice");
      continue;
    }
    config.endpoints.push_back(url);
  }
}

}  // namespace

void read_store(TableReader& root, const std::filesystem::path& config_dir, const std::string& store_id,
                std::chrono::seconds clock_skew, StoreConfig& config) {
  auto store = root.section("store", Presence::optional);
  if (!store) return;
  config.enabled = true;
  if (store_id.find('/') != std::string::npos) {
    store->problem_here("[store] needs a store_id without '/' (it names the store's keys in etcd), but it is " +
                        in_quotes(store_id));
  }
  read_endpoints(*store, config);
  const PathRules file{Presence::required, PathCheck::file_exists};
  if (auto path = read_path(*store, "ca_file", file, config_dir)) config.ca_file = std::move(*path);
  if (auto path = read_path(*store, "cert_file", file, config_dir)) config.cert_file = std::move(*path);
  if (auto path = read_path(*store, "key_file", file, config_dir)) config.key_file = std::move(*path);
  if (auto ms = store->integer("coordination_timeout_ms", {20, 5000}, Presence::optional)) {
    config.coordination_timeout = std::chrono::milliseconds(*ms);
  }
  if (auto fallback = store->choice<StoreFallback>("fallback", kFallbacks, Presence::optional)) config.fallback = *fallback;
  if (auto s = store->integer("lease_skew_s", {0, 3600}, Presence::optional)) {
    config.lease_skew = std::chrono::seconds(*s);
    // A token's key must outlive the last moment any array still accepts the token.
    const auto least = clock_skew + kArrayClockDifference;
    if (config.lease_skew < least) {
      store->problem_at("lease_skew_s", store->name_of("lease_skew_s") + " is " + std::to_string(*s) +
                                            ", expected at least " + std::to_string(least.count()) +
                                            " ([tokens] clock_skew_s " + std::to_string(clock_skew.count()) + " + " +
                                            std::to_string(kArrayClockDifference.count()) +
                                            " s for the clocks of the store's gate arrays to differ)");
    }
  }
  if (auto s = store->integer("session_backstop_s", {600, 7 * 24 * 3600}, Presence::optional)) {
    config.session_backstop = std::chrono::seconds(*s);
  }
  store->report_unknown_keys();
}

}  // namespace passgate::controller
