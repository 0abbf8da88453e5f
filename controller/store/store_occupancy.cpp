#include "controller/store/store_occupancy.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

StoreOccupancy::StoreOccupancy(coordination::StoreCoordinator& store, db::Database& database, TimerService& timers,
                               Clock& clock)
    : store_(store), database_(database), timers_(timers), clock_(clock) {}

StoreOccupancy::~StoreOccupancy() = default;

void StoreOccupancy::start() { round(); }

void StoreOccupancy::next_round() {
  timer_ = timers_.start(kEvery, [this] {
    timer_.reset();
    round();
  });
}

void StoreOccupancy::failed(std::string why) {
  if (view_.answering || view_.last_error.empty()) {
    spdlog::warn("event=store_occupancy_unavailable detail={}", log_value(why));
  }
  view_.answering = false;
  view_.last_error = std::move(why);
  next_round();
}

void StoreOccupancy::round() {
  const auto counts = db::read_passage_totals(database_);
  if (!counts.ok()) {
    failed("reading this array's passage totals: " + counts.error().message);
    return;
  }
  const coordination::PassageTotals totals{counts->in, counts->out};
  if (view_.published && view_.published->entered == totals.entered && view_.published->exited == totals.exited) {
    read_back();
    return;
  }
  store_.publish_totals(totals, [this, alive = std::weak_ptr<int>(alive_), totals](coordination::Outcome written) {
    if (alive.expired()) return;
    if (written.verdict != coordination::Verdict::confirmed) {
      failed("writing this array's totals: " + written.reason);
      return;
    }
    view_.published = totals;
    read_back();
  });
}

void StoreOccupancy::read_back() {
  store_.read_occupancy([this, alive = std::weak_ptr<int>(alive_)](Result<coordination::Occupancy> read) {
    if (alive.expired()) return;
    if (!read) {
      failed("reading the store's occupancy: " + read.error().message);
      return;
    }
    if (!view_.answering && !view_.last_error.empty()) spdlog::info("event=store_occupancy_available");
    view_.occupancy = *read;
    view_.read_at = clock_.steady_now();
    view_.answering = true;
    view_.last_error.clear();
    next_round();
  });
}

}  // namespace passgate::controller
