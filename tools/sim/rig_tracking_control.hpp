// Switching the tracking-engine simulator's faults from a scenario (`kind = "tracking"`).
// TrackingFaults is the seam the scenario player uses; TrackingControl implements it with one
// plain HTTP/1.1 POST of {"mode":…,"delay_ms":…} to
// http://127.0.0.1:<port>/control/fault (Boost.Beast), bounded by a 2 s timeout.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>

#include "common/result.hpp"
#include "tools/sim/rig_scenario.hpp"

namespace passgate::sim {

class TrackingFaults {
 public:
  virtual ~TrackingFaults() = default;
  // Asks the simulator to play `fault` (`delay`: how slow, for TrackingFault::slow). `done`
  // gets an error ("tracking_control") if it could not be told.
  virtual void set_fault(TrackingFault fault, Millis delay, std::function<void(Status)> done) = 0;
};

class TrackingControl final : public TrackingFaults {
 public:
  TrackingControl(boost::asio::io_context& io, std::uint16_t port) : io_(io), port_(port) {}

  void set_fault(TrackingFault fault, Millis delay, std::function<void(Status)> done) override;

 private:
  boost::asio::io_context& io_;
  std::uint16_t port_;
};

}  // namespace passgate::sim
