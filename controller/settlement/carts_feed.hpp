// CartsFeed: polls the tracking engine's final-carts feed
// (docs/interfaces/tracking-engine.md#the-final-carts-feed) every poll interval (at once again while pages come back full), records each page's carts
// and the cursor after them in one transaction, and then lets the settlement planner run.
// A cart the gate will not charge as it came (controller/settlement/carts_page.hpp) is quarantined in
// the same transaction and logged (event=cart_quarantined); the feed moves on. An
// unreachable engine or a page whose envelope cannot be read leaves the cursor where it
// was; the next poll asks again. Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "controller/settlement/carts_page.hpp"
#include "controller/tracking/messages.hpp"
#include "ports/tracking_port.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

struct CartsFeedSettings {
  GateIdentity gate;
  Millis poll_interval{2000};
  int page_limit = 100;
  Millis request_timeout{5000};
  CartLimits limits;
};

class CartsFeed {
 public:
  static constexpr const char* kFeedName = "final_carts";

  CartsFeed(CartsFeedSettings settings, TrackingPort& tracking, db::SettlementStore& store, TimerService& timers,
            Clock& clock, std::function<void()> recorded);
  // Polls now, then every poll interval.
  void start();
  // A config reload: new settings from the next poll on (the gate's identity is not expected
  // to change).
  void reconfigure(CartsFeedSettings settings) { settings_ = std::move(settings); }

  [[nodiscard]] std::int64_t carts_recorded() const { return recorded_total_; }
  [[nodiscard]] std::int64_t carts_quarantined() const { return quarantined_total_; }
  [[nodiscard]] const std::string& last_error() const { return last_error_; }

 private:
  void poll();
  void on_page(const HttpReply& reply);
  void fail(const std::string& why);
  void schedule(Millis delay);

  CartsFeedSettings settings_;
  TrackingPort& tracking_;
  db::SettlementStore& store_;
  TimerService& timers_;
  Clock& clock_;
  std::function<void()> recorded_;
  std::unique_ptr<Timer> wake_;
  std::int64_t recorded_total_ = 0;
  std::int64_t quarantined_total_ = 0;
  std::string last_error_;
};

}  // namespace passgate::controller
