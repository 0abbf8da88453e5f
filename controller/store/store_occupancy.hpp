// StoreOccupancy: this gate array's part of the store's occupancy (docs/store-coordination.md).
// Every kEvery it reads its own passage totals (db/passage_totals.hpp), writes them to the
// store when they changed since the last write the store confirmed (absolute totals: a write
// sent again never counts twice), and reads back every array's, for passgatectl status and the
// metrics. What it last read is kept, with when; whether the store answered the last round.
// Single-threaded, on the loop.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "db/passage_totals.hpp"

namespace passgate::controller {

struct StoreOccupancyView {
  std::optional<coordination::Occupancy> occupancy;  // the store's, as last read
  std::optional<SteadyTime> read_at;
  bool answering = false;   // the store answered the last round
  std::string last_error;   // why not, when not
  std::optional<coordination::PassageTotals> published;  // this array's, as last confirmed
};

class StoreOccupancy {
 public:
  static constexpr Millis kEvery{10000};

  StoreOccupancy(coordination::StoreCoordinator& store, db::Database& database, TimerService& timers, Clock& clock);
  ~StoreOccupancy();
  StoreOccupancy(const StoreOccupancy&) = delete;
  StoreOccupancy& operator=(const StoreOccupancy&) = delete;

  // The first round now, then one every kEvery.
  void start();
  [[nodiscard]] const StoreOccupancyView& view() const { return view_; }

 private:
  void round();
  void read_back();
  void failed(std::string why);
  void next_round();

  coordination::StoreCoordinator& store_;
  db::Database& database_;
  TimerService& timers_;
  Clock& clock_;
  StoreOccupancyView view_;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace passgate::controller
