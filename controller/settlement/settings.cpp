#include "controller/settlement/settings.hpp"

namespace passgate::controller {

DrainerSettings drainer_settings(const GateConfig& config) {
  DrainerSettings s;
  s.gate_id = config.gate_id;
  s.max_in_flight = config.payments.max_in_flight;
  s.max_requests_per_second = config.payments.max_requests_per_second;
  s.retry = RetryPolicy{config.payments.retry_initial, config.payments.retry_max};
  s.request_timeout = config.payments.request_timeout;
  return s;
}

EntryHoldSettings entry_hold_settings(const GateConfig& config) {
  const PaymentsConfig& p = config.payments;
  return EntryHoldSettings{p.hold_amount_minor, p.currency, p.entry_timeout, p.offline_limits};
}

CartsFeedSettings carts_feed_settings(const GateConfig& config) {
  return CartsFeedSettings{GateIdentity{config.store_id, config.gate_id}, config.payments.carts_poll_interval,
                           config.payments.carts_page_limit, config.tracking.request_timeout,
                           CartLimits{config.payments.currency, config.payments.max_cart_minor}};
}

SettlementSettings settlement_settings(const GateConfig& config) {
  return SettlementSettings{drainer_settings(config), entry_hold_settings(config), carts_feed_settings(config)};
}

}  // namespace passgate::controller
