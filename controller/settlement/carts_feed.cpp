#include "controller/settlement/carts_feed.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "common/form_encoding.hpp"
#include "common/log_excerpt.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/settlement/carts_page.hpp"

namespace passgate::controller {

CartsFeed::CartsFeed(CartsFeedSettings settings, TrackingPort& tracking, db::SettlementStore& store,
                     TimerService& timers, Clock& clock, std::function<void()> recorded)
    : settings_(std::move(settings)),
      tracking_(tracking),
      store_(store),
      timers_(timers),
      clock_(clock),
      recorded_(std::move(recorded)) {}

void CartsFeed::start() { schedule(Millis{0}); }

void CartsFeed::schedule(Millis delay) {
  wake_ = timers_.start(delay, [this] {
    wake_.reset();
    poll();
  });
}

void CartsFeed::poll() {
  auto cursor = store_.cursor(kFeedName);
  if (!cursor) return fail("cannot read the feed cursor: " + cursor.error().message);
  std::string target = "/v1/carts?store_id=" + percent_encode(settings_.gate.store_id) +
                       "&gate_id=" + percent_encode(settings_.gate.gate_id);
  if (cursor->has_value()) target += "&after=" + percent_encode(**cursor);
  target += "&limit=" + std::to_string(settings_.page_limit);
  tracking_.get(target, settings_.request_timeout, [this](HttpReply reply) { on_page(reply); });
}

void CartsFeed::on_page(const HttpReply& reply) {
  if (reply.status != 200) {
    return fail(reply.status == 0 ? reply.error
                                  : "HTTP " + std::to_string(reply.status) + " " + log_excerpt(reply.body));
  }
  auto page = parse_carts_page(reply.body, settings_.limits);
  if (!page) return fail("the tracking engine sent a page the gate cannot read (" + page.error().message +
                         "); the cursor stays, the page is asked for again");
  const std::size_t in_page = page->carts.size() + page->quarantined.size() + page->repeats;
  if (in_page == 0) {
    last_error_.clear();
    return schedule(settings_.poll_interval);
  }
  auto recorded = store_.record_carts(kFeedName, page->carts, page->quarantined, page->next_cursor,
                                      unix_millis(clock_.wall_now()));
  if (!recorded) return fail("cannot record final carts: " + recorded.error().message);
  last_error_.clear();
  recorded_total_ += recorded->recorded;
  for (const std::string& unknown : recorded->unknown_sessions)
    spdlog::warn("event=cart_unknown_session session={} detail=\"skipped, not charged\"", log_value(unknown));
  quarantined_total_ += static_cast<std::int64_t>(recorded->quarantined.size());
  for (const db::QuarantinedCart& cart : recorded->quarantined) {
    spdlog::warn("event=cart_quarantined session={} reason={} detail={} action=\"not charged; passgatectl queue lists"
                 " it for an operator\"",
                 log_value(cart.session_id.empty() ? std::string("-") : cart.session_id), to_string(cart.reason),
                 log_value(cart.detail));
  }
  const std::size_t repeated = static_cast<std::size_t>(recorded->repeated) + page->repeats;
  if (recorded->recorded > 0 || repeated > 0)
    spdlog::info("event=carts_recorded recorded={} repeated={}", recorded->recorded, repeated);
  if (recorded_) recorded_();
  const bool full_page = static_cast<int>(in_page) >= settings_.page_limit;
  schedule(full_page ? Millis{0} : settings_.poll_interval);
}

void CartsFeed::fail(const std::string& why) {
  if (why != last_error_) spdlog::warn("event=carts_feed_failed detail={}", log_value(why));
  last_error_ = why;
  schedule(settings_.poll_interval);
}

}  // namespace passgate::controller
