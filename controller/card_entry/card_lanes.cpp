#include "controller/card_entry/card_lanes.hpp"

#include <spdlog/spdlog.h>

#include "controller/card_entry/settings.hpp"

namespace passgate::controller {

Result<std::unique_ptr<CardLanes>> CardLanes::create(const GateConfig& config, CardLaneParts parts, Gate& gate) {
  auto hasher = parts.sealer.card_fingerprint_hasher();
  if (!hasher) return hasher.error();
  std::unique_ptr<CardLanes> lanes(new CardLanes(parts, std::move(*hasher), gate));
  for (const LaneConfig& lane : config.lanes) {
    if (lane.kind != LaneKind::entry || lane.terminal_reader.empty()) continue;
    if (parts.terminal == nullptr) {
      return make_error("no_terminal", "lane " + std::to_string(lane.number) + " has a card reader and no terminal");
    }
    lanes->add(card_entry_settings(config, lane));
  }
  return lanes;
}

CardLanes::CardLanes(CardLaneParts parts, crypto::CardFingerprintHasher hasher, Gate& gate)
    : parts_(parts), hasher_(std::move(hasher)), gate_(gate) {
  gate_.set_card_entry_source([this](int lane) { return status(lane); });
  gate_.add_observer(*this);
}

CardLanes::~CardLanes() {
  gate_.remove_observer(*this);
  gate_.set_card_entry_source(nullptr);
}

void CardLanes::add(const CardEntrySettings& settings) {
  const int number = settings.lane;
  auto runner = std::make_unique<CardEntryRunner>(
      settings, *parts_.terminal, parts_.attempts, parts_.blocklist, parts_.sealer, hasher_, parts_.clock,
      parts_.timers, [this, number](CardDecision decision) { gate_.on_card_decision(number, decision); });
  runner->on_status_changed([this, number](const CardEntryStatus& s) { gate_.on_card_entry_changed(number, s); });
  lanes_.emplace(number, Lane{settings, std::move(runner)});
}

void CardLanes::start() {
  started_ = true;
  follow_gate();  // the alarm counts as active until the loop reads clear
  for (auto& [number, lane] : lanes_) {
    spdlog::info("event=card_entry_starting lane={} reader={}", number, lane.settings.reader_id);
    lane.runner->start();
    lane.runner->set_presence(lane.outer_blocked);
  }
}

void CardLanes::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [number, lane] : lanes_) lane.runner.reset();
  if (!lanes_.empty()) spdlog::info("event=card_entry_stopped lanes={}", lanes_.size());
}

Status CardLanes::keys_changed() {
  auto hasher = parts_.sealer.card_fingerprint_hasher();
  if (!hasher) return hasher.error();
  hasher_ = std::move(*hasher);
  return {};
}

std::optional<CardEntryStatus> CardLanes::status(int lane) const {
  const auto it = lanes_.find(lane);
  if (it == lanes_.end()) return std::nullopt;
  if (!it->second.runner) return CardEntryStatus{false, "stopping", "stopped"};
  return it->second.runner->status();
}

void CardLanes::on_fire_alarm(bool /*active*/) {
  // Not here: the gate is in its safety reaction. The runners may write to the database and
  // call the terminal; they follow the gate as it is when the loop gets to them. A timer a
  // beam change started earlier is replaced: it would run ahead of the latch's release writes.
  follow_timer_.reset();
  follow_gate_soon();
}

void CardLanes::follow_gate_soon() {
  if (follow_timer_) return;
  follow_gate_after(Millis{0});
}

void CardLanes::follow_gate_after(Millis delay) {
  // A timer, not a post: the driver's writes of releases on a slow chip, left by the alarm's
  // latch to 0 ms timers (one per turn, each started by the one before), and its retries of a
  // release write that failed go first: while the backend still has such writes queued, this
  // waits kReleasesPendingWait more (longer than 0 ms: no spinning while a retry waits).
  follow_timer_ = parts_.timers.start(delay, [this] {
    follow_timer_.reset();
    if (gate_.releases_pending()) {
      follow_gate_after(kReleasesPendingWait);
      return;
    }
    follow_gate();
  });
}

void CardLanes::follow_gate() {
  if (!started_ || stopped_) return;
  const bool alarm = gate_.fire_alarm();
  for (auto& [number, lane] : lanes_) {
    if (!lane.runner) continue;
    // After the alarm a lane someone is still in stays free both ways ("emergency_clearing")
    // until it is clear: no tap is taken there meanwhile (nobody could be admitted on it).
    const auto* gate_lane = gate_.lane(number);
    const bool emergency = gate_lane != nullptr && gate_lane->state_name().starts_with("emergency");
    if (alarm || emergency) {
      lane.runner->pause("fire_alarm");
    } else {
      lane.runner->resume();
    }
  }
}

void CardLanes::on_beams(int lane, bool outer_blocked, bool /*inner_blocked*/) {
  const auto it = lanes_.find(lane);
  if (it == lanes_.end()) return;
  it->second.outer_blocked = outer_blocked;
  if (it->second.runner) it->second.runner->set_presence(outer_blocked);
  follow_gate_soon();  // a lane clear after the alarm leaves "emergency_clearing"
}

}  // namespace passgate::controller
