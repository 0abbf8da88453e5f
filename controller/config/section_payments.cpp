// [payments] and [payments.offline_limits]: the payment gateway and its secret key, the keys
// that seal payment references at rest, the settlement queue's pacing, and how much the gate
// risks on entries it admits while the gateway is unreachable.
#include <algorithm>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"
#include "crypto/payment_sealer.hpp"
#include "crypto/secret_file.hpp"

namespace passgate::controller {
namespace {

namespace fs = std::filesystem;

// One amount: up to Stripe's largest (8 digits of minor units). Totals may be larger.
constexpr IntRange kAmountRange{0, 99'999'999};
constexpr IntRange kTotalRange{0, 99'999'999'999};

enum class Secret { api_key, sealing_key, previous_sealing_key };

// Any secret must be its owner's alone; a sealing key must be 32 bytes. Stat only: the
// checking user may not be allowed to read it.
Status check_secret(const fs::path& file, Secret secret) {
  switch (secret) {
    case Secret::api_key: return crypto::check_secret_file_mode(file, "the gateway API key");
    case Secret::sealing_key: return crypto::check_secret_key_file(file, crypto::kSealKeyName, crypto::kSealKeyBytes);
    case Secret::previous_sealing_key:
      return crypto::check_secret_key_file(file, crypto::kPreviousSealKeyName, crypto::kSealKeyBytes);
  }
  return {};
}

// A required secret file's resolved path; nothing if it is absent or fails check_secret
// (reported at its value).
std::optional<fs::path> read_secret_path(TableReader& payments, std::string_view key, const fs::path& config_dir,
                                         Secret secret) {
  auto path = read_path(payments, key, {Presence::required, PathCheck::none}, config_dir);
  if (!path) return std::nullopt;
  if (auto ok = check_secret(*path, secret); !ok) {
    payments.problem_at(key, payments.name_of(key) + ": " + ok.error().message);
    return std::nullopt;
  }
  return path;
}

// previous_seal_key_files: each a sealing key file, none listed twice or equal to the current one.
void read_previous_seal_keys(TableReader& payments, const fs::path& config_dir, const fs::path& current,
                             std::vector<fs::path>& out) {
  constexpr std::string_view key = "previous_seal_key_files";
  const toml::array* files = payments.array(key, Presence::optional, "an array of key file paths");
  if (files == nullptr) return;
  std::vector<std::pair<fs::path, std::string>> listed;  // resolved path, its name in messages
  if (!current.empty()) listed.emplace_back(current, payments.name_of("seal_key_file"));
  for (std::size_t i = 0; i < files->size(); ++i) {
    const std::string name = payments.name_of(key) + "[" + std::to_string(i + 1) + "]";
    const toml::node& element = *files->get(i);
    const auto* text = element.as_string();
    if (text == nullptr || text->get().empty()) {
      payments.problem_at_node(element, name + " is " + (text == nullptr ? describe_type(element) : "empty") +
                                            ", expected the path of a key file");
      continue;
    }
    const fs::path given(text->get());
    const fs::path file = (given.is_absolute() ? given : config_dir / given).lexically_normal();
    const auto same = std::find_if(listed.begin(), listed.end(), [&](const auto& l) { return l.first == file; });
    if (same != listed.end()) {
      payments.problem_at_node(element, name + " is " + in_quotes(text->get()) + ", the same file as " + same->second +
                                            ", expected each key file once");
      continue;
    }
    if (auto ok = check_secret(file, Secret::previous_sealing_key); !ok) {
      payments.problem_at_node(element, name + ": " + ok.error().message);
      continue;
    }
    listed.emplace_back(file, name);
    out.push_back(file);
  }
}

std::optional<std::string> read_currency(TableReader& payments) {
  auto currency = payments.text("currency", Presence::optional);
  if (!currency) return std::nullopt;
  const bool iso_4217 =
      currency->size() == 3 && std::all_of(currency->begin(), currency->end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (iso_4217) return currency;
  payments.problem_at("currency", payments.name_of("currency") + " is " + in_quotes(*currency) +
                                      ", expected an ISO 4217 currency code of 3 upper-case letters, such as \"USD\"");
  return std::nullopt;
}

void read_ms(TableReader& table, std::string_view key, IntRange range, std::chrono::milliseconds& out) {
  if (auto ms = table.integer(key, range, Presence::optional)) out = std::chrono::milliseconds(*ms);
}

template <class Number>
void read_number(TableReader& table, std::string_view key, IntRange range, Number& out) {
  if (auto n = table.integer(key, range, Presence::optional)) out = static_cast<Number>(*n);
}

// The backoff starts at retry_initial_ms and doubles up to retry_max_ms, which must not be less.
void read_retry(TableReader& payments, PaymentsConfig& out) {
  const auto initial = payments.integer("retry_initial_ms", {100, 60000}, Presence::optional);
  if (initial) out.retry_initial = std::chrono::milliseconds(*initial);
  const auto max = payments.integer("retry_max_ms", {1000, 3'600'000}, Presence::optional);
  if (!max) return;
  if (*max >= out.retry_initial.count()) {
    out.retry_max = std::chrono::milliseconds(*max);
    return;
  }
  payments.problem_at("retry_max_ms", payments.name_of("retry_max_ms") + " is " + std::to_string(*max) + ", less than " +
                                          payments.name_of("retry_initial_ms") + " (" +
                                          std::to_string(out.retry_initial.count()) + "), expected at least that");
}

void read_offline_limits(TableReader& payments, OfflineRiskLimits& limits) {
  auto section = payments.section("offline_limits", Presence::optional);
  if (!section) return;
  read_number(*section, "max_session_minor", kAmountRange, limits.max_session_minor);
  read_number(*section, "max_outstanding_minor", kTotalRange, limits.max_outstanding_minor);
  read_number(*section, "max_outstanding_operations", {0, 1'000'000}, limits.max_outstanding_operations);
  if (auto age = section->integer("max_age_s", {0, 30 * 86400}, Presence::optional)) {
    limits.max_age = std::chrono::seconds(*age);
  }
  section->report_unknown_keys();
}

}  // namespace

void read_payments(TableReader& root, const fs::path& config_dir, PaymentsConfig& payments) {
  auto section =
      root.section("payments", Presence::required, "a [payments] table with api_key_file and seal_key_file");
  if (!section) return;
  if (auto url = read_service_url(*section, "gateway_url", Presence::optional, "https://api.stripe.com")) {
    payments.gateway_url = std::move(*url);
  }
  if (auto file = read_secret_path(*section, "api_key_file", config_dir, Secret::api_key)) {
    payments.api_key_file = std::move(*file);
  }
  if (auto file = read_path(*section, "ca_bundle", {Presence::optional, PathCheck::file_exists}, config_dir)) {
    payments.ca_bundle = std::move(*file);
  }
  read_ms(*section, "request_timeout_ms", {100, 120'000}, payments.request_timeout);
  read_ms(*section, "entry_timeout_ms", {100, 10'000}, payments.entry_timeout);
  if (auto file = read_secret_path(*section, "seal_key_file", config_dir, Secret::sealing_key)) {
    payments.seal_key_file = std::move(*file);
  }
  read_previous_seal_keys(*section, config_dir, payments.seal_key_file, payments.previous_seal_key_files);
  if (auto currency = read_currency(*section)) payments.currency = std::move(*currency);
  read_number(*section, "hold_amount_minor", kAmountRange, payments.hold_amount_minor);
  read_number(*section, "max_in_flight", {1, 32}, payments.max_in_flight);
  read_number(*section, "max_requests_per_second", {0, 100}, payments.max_requests_per_second);
  read_retry(*section, payments);
  read_ms(*section, "carts_poll_interval_ms", {100, 60'000}, payments.carts_poll_interval);
  read_number(*section, "carts_page_limit", {1, 500}, payments.carts_page_limit);
  read_number(*section, "max_cart_minor", {1, kAmountRange.max}, payments.max_cart_minor);
  read_offline_limits(*section, payments.offline_limits);
  section->report_unknown_keys();
}

}  // namespace passgate::controller
