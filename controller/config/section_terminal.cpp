// [terminal]: the payment terminal API the entry lanes' card readers are reached through
// (docs/interfaces/payment-terminal.md): its URL, key and CA bundle when they are not those of
// [payments], the pinned API version, the card-present hold, and the time limits and polls of
// a card-entry attempt. The lanes' reader ids are read with the lanes (section_lanes.cpp).
#include <algorithm>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"
#include "crypto/secret_file.hpp"

namespace passgate::controller {
namespace {

namespace fs = std::filesystem;

void read_duration(TableReader& table, std::string_view key, IntRange range, std::chrono::milliseconds& out) {
  if (auto ms = table.integer(key, range, Presence::optional)) out = std::chrono::milliseconds(*ms);
}

void read_duration(TableReader& table, std::string_view key, IntRange range, std::chrono::seconds& out) {
  if (auto s = table.integer(key, range, Presence::optional)) out = std::chrono::seconds(*s);
}

// `key` (read into `value`) must not be above `limit_key` (already read into `limit`).
template <class Duration>
void require_at_most(TableReader& table, std::string_view key, Duration value, std::string_view limit_key,
                     Duration limit, std::string_view unit) {
  if (value <= limit) return;
  table.problem_at(key, table.name_of(key) + " is " + std::to_string(value.count()) + ", more than " +
                            table.name_of(limit_key) + " (" + std::to_string(limit.count()) + " " + std::string(unit) +
                            "), expected at most that");
}

// The API version: printable, no spaces (it goes into a header).
void read_stripe_version(TableReader& terminal, std::string& out) {
  auto version = terminal.text("stripe_version", Presence::optional);
  if (!version) return;
  const bool printable = std::all_of(version->begin(), version->end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (printable && version->size() <= 64) {
    out = std::move(*version);
    return;
  }
  terminal.problem_at("stripe_version", terminal.name_of("stripe_version") + " is " + in_quotes(*version) +
                                            ", expected an API version such as \"2026-05-27.dahlia\" (printable, no "
                                            "spaces, at most 64 characters)");
}

}  // namespace

void read_terminal(TableReader& root, const fs::path& config_dir, TerminalConfig& terminal) {
  auto section = root.section("terminal", Presence::optional);
  if (!section) return;
  if (auto url = read_service_url(*section, "api_url", Presence::optional, "https://api.stripe.com")) {
    terminal.api_url = std::move(*url);
  }
  if (auto file = read_path(*section, "api_key_file", {Presence::optional, PathCheck::none}, config_dir)) {
    if (auto ok = crypto::check_secret_file_mode(*file, "the terminal API key"); !ok) {
      section->problem_at("api_key_file", section->name_of("api_key_file") + ": " + ok.error().message);
    } else {
      terminal.api_key_file = std::move(*file);
    }
  }
  if (auto file = read_path(*section, "ca_bundle", {Presence::optional, PathCheck::file_exists}, config_dir)) {
    terminal.ca_bundle = std::move(*file);
  }
  read_stripe_version(*section, terminal.stripe_version);
  if (auto hold = section->integer("hold_amount_minor", {1, 99'999'999}, Presence::optional)) {
    terminal.hold_amount_minor = *hold;
  }
  read_duration(*section, "request_timeout_ms", {1000, 120'000}, terminal.request_timeout);
  read_duration(*section, "connect_timeout_ms", {100, 30'000}, terminal.connect_timeout);
  require_at_most(*section, "connect_timeout_ms", terminal.connect_timeout, "request_timeout_ms",
                  terminal.request_timeout, "ms");
  read_duration(*section, "auth_timeout_ms", {5000, 120'000}, terminal.auth_timeout);
  read_duration(*section, "poll_fast_ms", {250, 500}, terminal.poll_fast);
  read_duration(*section, "poll_slow_ms", {250, 10'000}, terminal.poll_slow);
  require_at_most(*section, "poll_fast_ms", terminal.poll_fast, "poll_slow_ms", terminal.poll_slow, "ms");
  read_duration(*section, "rearm_interval_s", {60, 3600}, terminal.rearm_interval);
  read_duration(*section, "capture_margin_s", {600, 86'400}, terminal.capture_margin);
  section->report_unknown_keys();
}

}  // namespace passgate::controller
