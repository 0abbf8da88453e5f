#include "passgated/daemon_reload.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "controller/live_components.hpp"

namespace passgate::daemon {

Status DaemonReload::stage_key_files(const controller::GateConfig& config) {
  staged_.reset();
  auto files = drivers::load_key_files(config);
  if (!files.value) {
    std::string problems;
    for (const auto& p : files.problems) problems += (problems.empty() ? "" : "; ") + p;
    return make_error("bad_key_file", problems);
  }
  // Every payment reference a session not yet settled may still need must open with the new
  // keys: one that cannot would turn that session's charge into a dead letter.
  if (Status opens = targets_.settlement.check_sealing_keys(files.value->sealer); !opens) return opens;
  // A key that opens another gateway account must wait until nothing begun with this one is
  // outstanding.
  auto account = targets_.gateway.account_id_with(files.value->api_key);
  if (!account) return account.error();
  if (Status same = targets_.settlement.check_gateway_account(*account); !same) return same;
  staged_ = std::move(files.value);
  return {};
}

std::vector<std::string> DaemonReload::apply(const controller::GateConfig& config) {
  std::vector<std::string> changed;
  if (staged_) {
    if (targets_.keys.install(std::move(staged_->issuer_keys))) changed.emplace_back("tokens.keyset");
    // The account is recorded before its key is used: a key whose account cannot be recorded
    // is not used (the next start would not know which account the operations began with).
    auto account = targets_.gateway.account_id_with(staged_->api_key);
    Status recorded = account ? targets_.settlement.record_gateway_account(*account) : Status(account.error());
    if (!recorded) {
      spdlog::error("event=gateway_key_not_changed detail={}",
                    log_value("cannot record the gateway account: " + recorded.error().message));
    } else if (targets_.gateway.set_api_key(std::move(staged_->api_key))) {
      changed.emplace_back("payments.api_key_file");
    }
    if (targets_.sealer.current_key_id() != staged_->sealer.current_key_id()) {
      changed.emplace_back("payments.seal_key_file");
    }
    // The same object every component refers to gets the new keys (sealing is synchronous:
    // nothing holds a key across loop turns).
    targets_.sealer = std::move(staged_->sealer);
    staged_.reset();
    if (Status hashed = targets_.cards.keys_changed(); !hashed) {
      spdlog::error("event=card_keys_not_changed detail={}", log_value(hashed.error().message));
    }
  }
  // The same call the tests of each live setting make (controller/live_components.hpp).
  controller::apply_live_settings(
      controller::LiveComponents{&targets_.admission, &targets_.settlement, &targets_.sender, &targets_.gate,
                                 &targets_.retention},
      config);
  return changed;
}

}  // namespace passgate::daemon
