#include "controller/settlement/gateway_account_guard.hpp"

namespace passgate::controller {

namespace {

constexpr const char* kAccount = "gateway_account";

}  // namespace

Status check_gateway_account(db::GateStatus& status, db::PaymentQueue& queue, const std::string& account) {
  auto recorded = status.get(kAccount);
  if (!recorded) return recorded.error();
  if (!recorded->has_value() || (*recorded)->value == account) return {};
  auto begun = queue.begun_at_gateway();
  if (!begun) return begun.error();
  if (*begun == 0) return {};
  return make_error("gateway_account_changed",
                    "payments: payments.api_key_file (or gateway_url) now opens another gateway account (" + account +
                        ") than the one " + std::to_string(*begun) +
                        " payment operation(s) or hold(s) still depend on (" + (*recorded)->value +
                        "): resent to another account an operation could charge twice, and a hold lives in the account"
                        " that placed it. Keep the previous key and URL until passgatectl queue shows nothing outstanding"
                        " and no shopper with a hold is inside (or an operator has written those operations off), then"
                        " change them");
}

Status record_gateway_account(db::GateStatus& status, const std::string& account, std::int64_t now_ms) {
  return status.set(kAccount, account, now_ms);
}

}  // namespace passgate::controller
