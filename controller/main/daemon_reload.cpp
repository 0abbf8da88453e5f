#include "controller/main/daemon_reload.hpp"

#include <spdlog/spdlog.h>

#include "controller/component_settings.hpp"

namespace passgate::daemon {

Status DaemonReload::stage_key_files(const controller::GateConfig& config) {
  staged_.reset();
  auto files = drivers::load_key_files(config);
  if (!files.value) {
    std::string problems;
    for (const auto& p : files.problems) problems += (problems.empty() ? "" : "; ") + p;
    return make_error("bad_key_file", problems);
  }
  crypto::PaymentSealer& sealer = files.value->sealer;
  // Payment references of the sessions under way are sealed with the key in force: keys that
  // cannot open them would turn every charge for those sessions into a dead letter.
  if (!sealer.can_open(targets_.sealer.current_key_id())) {
    return make_error("seal_key_dropped",
                      "payments: the new payment sealing key replaces the one in force (id " +
                          targets_.sealer.current_key_id() +
                          ") without keeping it: the sessions under way could not be charged. List its file in "
                          "previous_seal_key_files, then reload again");
  }
  staged_ = std::move(files.value);
  return {};
}

std::vector<std::string> DaemonReload::apply(const controller::GateConfig& config) {
  std::vector<std::string> changed;
  if (staged_) {
    if (targets_.keys.install(std::move(staged_->issuer_keys))) changed.emplace_back("tokens.keyset");
    if (targets_.gateway.set_api_key(std::move(staged_->api_key))) changed.emplace_back("payments.api_key_file");
    if (targets_.sealer.current_key_id() != staged_->sealer.current_key_id()) {
      changed.emplace_back("payments.seal_key_file");
    }
    // The same object every component refers to gets the new keys (sealing is synchronous:
    // nothing holds a key across loop turns).
    targets_.sealer = std::move(staged_->sealer);
    staged_.reset();
  }
  spdlog::default_logger()->set_level(spdlog::level::from_str(config.logging.level));
  targets_.admission.reconfigure(controller::admission_settings(config));
  targets_.hold.reconfigure(controller::entry_hold_settings(config));
  targets_.drainer.reconfigure(controller::drainer_settings(config));
  targets_.sender.set_request_timeout(config.tracking.request_timeout);
  targets_.carts.reconfigure(controller::carts_feed_settings(config));
  targets_.gate.reconfigure(config);
  return changed;
}

}  // namespace passgate::daemon
