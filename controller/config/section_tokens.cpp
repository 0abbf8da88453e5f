// store_id, gate_id and [tokens]: who the gate is and whose entry tokens it accepts.
#include <algorithm>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {
namespace {

// Ids travel in token audiences, HTTP headers and query strings: printable ASCII, no spaces.
std::optional<std::string> read_id(TableReader& root, std::string_view key, std::string_view example) {
  auto id = root.text(key, Presence::required);
  if (!id) return std::nullopt;
  const bool printable = std::all_of(id->begin(), id->end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!printable) {
    root.problem_at(key, root.name_of(key) + " is " + in_quotes(*id) +
                             ", expected printable ASCII without spaces, such as " + in_quotes(example));
    return std::nullopt;
  }
  return id;
}

}  // namespace

void read_identity_and_tokens(TableReader& root, const std::filesystem::path& config_dir, GateConfig& config) {
  if (auto id = read_id(root, "store_id", "store-0042")) config.store_id = std::move(*id);
  if (auto id = read_id(root, "gate_id", "gate-a")) config.gate_id = std::move(*id);

  auto tokens = root.section("tokens", Presence::required, "a [tokens] table with issuer and keyset");
  if (!tokens) return;
  if (auto issuer = tokens->text("issuer", Presence::required)) config.issuer = std::move(*issuer);
  if (auto keyset = read_path(*tokens, "keyset", {Presence::required, PathCheck::file_exists}, config_dir)) {
    config.keyset = std::move(*keyset);
  }
  if (auto skew = tokens->integer("clock_skew_s", {0, db::kMaxClockSkewS}, Presence::optional)) {
    config.clock_skew = std::chrono::seconds(*skew);
  }
  if (auto freshness = tokens->integer("freshness_s", {10, 300}, Presence::optional)) {
    config.freshness = std::chrono::seconds(*freshness);
  }
  tokens->report_unknown_keys();
}

}  // namespace passgate::controller
