#include "tests/scenario/crash_life.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>

#include "hw/line_names.hpp"

namespace passgate::scenario {
namespace {

// A shopper who waited this long without an answer leaves (the gate alive all along).
constexpr std::chrono::milliseconds kShopperPatience = 8s;
constexpr std::chrono::milliseconds kShopperStep = 50ms;

// Whether `lane` showed a denial since its first `seen` texts: a reason, one word such as
// card_in_session, but tap_failed (which asks for another tap).
bool denied_since(const RigClient& rig, int lane, std::size_t seen) {
  const auto& shown = rig.view().displays(lane);
  return std::any_of(shown.begin() + static_cast<std::ptrdiff_t>(std::min(seen, shown.size())), shown.end(),
                     [](const std::string& text) {
                       const bool word = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || c == '_';
                       });
                       return word && text != "tap_failed";
                     });
}

// Waits for `lane`'s barrier, tapping with `tap` (if set) at every step; walks in when it opens.
EntryTry wait_and_walk(GateLife& life, int lane, const std::function<void()>& tap) {
  RigClient& rig = life.rig();
  const std::string release = hw::line_name(lane, hw::LineRole::release_in);
  const std::size_t seen = rig.view().displays(lane).size();
  const auto give_up = std::chrono::steady_clock::now() + kShopperPatience;
  while (!life.killed()) {
    if (rig.view().active(release)) {
      rig.walk_in(lane);  // the kill may come half-way through
      // The next shopper comes once the barrier is closed again behind this one.
      const auto closed_by = std::chrono::steady_clock::now() + kReactLimit;
      while (!life.killed() && rig.view().active(release) && std::chrono::steady_clock::now() < closed_by) {
        life.run_for(kShopperStep);
      }
      return life.killed() ? EntryTry::cut_short : EntryTry::walked_in;
    }
    if (denied_since(rig, lane, seen) || std::chrono::steady_clock::now() >= give_up) {
      return EntryTry::turned_away;
    }
    if (tap) tap();
    life.run_for(kShopperStep);
  }
  return EntryTry::cut_short;
}

}  // namespace

GateLife::GateLife(GateHarness& gate, std::chrono::milliseconds alive) : gate_(gate), kill_timer_(gate.io()) {
  if (!gate_.gate_running()) gate_.start_gate();
  rig_ = std::make_unique<RigClient>(gate_);
  rig_->connect_ready();
  kill_timer_.expires_after(alive);
  kill_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    gate_.gated().signal(SIGKILL);
    killed_ = true;
  });
}

void GateLife::run_for(std::chrono::milliseconds duration) {
  boost::asio::steady_timer wake(gate_.io(), duration);
  bool woke = false;
  wake.async_wait([&woke](const boost::system::error_code&) { woke = true; });
  REQUIRE(gate_.run_until([&] { return killed_ || woke; }, duration + kReactLimit));
  wake.cancel();
  REQUIRE(gate_.run_until([&woke] { return woke; }));  // its handler refers to this frame
}

void GateLife::kill_now() {
  kill_timer_.cancel();
  gate_.gated().signal(SIGKILL);
  killed_ = true;
}

void GateLife::end() {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_timer_.expiry() -
                                                                          std::chrono::steady_clock::now());
  REQUIRE(gate_.run_until([this] { return killed_; }, std::max(left, 0ms) + kReactLimit));
  gate_.io().poll();  // the cancelled timer's handler, if kill_now() came first
  rig_.reset();
  gate_.kill_gate();
}

EntryTry card_shopper(GateLife& life, const std::string& card) {
  // A tap lands only while the reader collects (400 otherwise): the shopper keeps trying.
  return wait_and_walk(life, 1, [&life, &card] { (void)life.gate().tap_card(kCrashReader, card); });
}

EntryTry app_shopper(GateLife& life, int lane, const std::string& token) {
  life.rig().scan(lane, token);
  return wait_and_walk(life, lane, {});
}

}  // namespace passgate::scenario
