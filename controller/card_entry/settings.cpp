#include "controller/card_entry/settings.hpp"

namespace passgate::controller {

CardEntrySettings card_entry_settings(const GateConfig& config, const LaneConfig& lane) {
  CardEntrySettings s;
  s.gate = GateIdentity{config.store_id, config.gate_id};
  s.lane = lane.number;
  s.reader_id = lane.terminal_reader;
  s.currency = config.payments.currency;
  s.hold_minor = config.terminal.hold_amount_minor;
  s.auth_timeout = config.terminal.auth_timeout;
  s.poll_fast = config.terminal.poll_fast;
  s.poll_slow = config.terminal.poll_slow;
  s.rearm_interval = std::chrono::duration_cast<Millis>(config.terminal.rearm_interval);
  s.anti_passback = config.entry.anti_passback;
  return s;
}

}  // namespace passgate::controller
