// Switching the simulators' faults from a scenario: `kind = "tracking"` (the tracking-engine
// simulator) and `kind = "gateway"` (the payment-gateway simulator), and card taps at the
// gateway simulator's readers (`kind = "tap"`) and their faults (`kind = "reader"`).
// TrackingFaults, GatewayFaults and CardTaps are the seams the scenario player uses;
// TrackingControl and GatewayControl implement them with one plain HTTP/1.1 POST of JSON to
// http://127.0.0.1:<control port>/control/fault (or /control/readers/{reader}[/tap])
// (Boost.Beast), bounded by a 2 s timeout.
// Single-threaded, on the caller's io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "common/result.hpp"
#include "tools/sim/gateway/server.hpp"
#include "tools/sim/rig/scenario.hpp"

namespace passgate::sim {

class TrackingFaults {
 public:
  virtual ~TrackingFaults() = default;
  // Asks the simulator to play `fault` (`delay`: how slow, for TrackingFault::slow). `done`
  // gets an error ("tracking_control") if it could not be told.
  virtual void set_fault(TrackingFault fault, Millis delay, std::function<void(Status)> done) = 0;
};

class GatewayFaults {
 public:
  virtual ~GatewayFaults() = default;
  // Asks the gateway simulator to play `fault`. `done` gets an error ("gateway_control") if it
  // could not be told or refused the fault.
  virtual void set_fault(const GatewayFault& fault, std::function<void(Status)> done) = 0;
};

class CardTaps {
 public:
  virtual ~CardTaps() = default;
  // A shopper presents test card `card` at `reader`. `done` gets the simulator's HTTP status
  // (200: the card was read; 400: the reader collects nothing now, or the card is unknown), or
  // an error ("gateway_control") if it could not be asked.
  virtual void tap(const std::string& reader, const std::string& card, std::function<void(Result<int>)> done) = 0;
  // Sets reader fault `fault` ("offline", "online", ...: docs/card-tap-simulator.md). `done`
  // gets an error ("gateway_control") if it could not be told or refused the fault.
  virtual void set_reader_fault(const std::string& reader, const std::string& fault,
                                std::function<void(Status)> done) = 0;
};

class TrackingControl final : public TrackingFaults {
 public:
  TrackingControl(boost::asio::io_context& io, std::uint16_t port) : io_(io), port_(port) {}

  void set_fault(TrackingFault fault, Millis delay, std::function<void(Status)> done) override;

 private:
  boost::asio::io_context& io_;
  std::uint16_t port_;
};

class GatewayControl final : public GatewayFaults, public CardTaps {
 public:
  GatewayControl(boost::asio::io_context& io, std::uint16_t port) : io_(io), port_(port) {}

  // Sends {"mode":…,"delay_ms":…} plus "retry_after_s" and "count" when set.
  void set_fault(const GatewayFault& fault, std::function<void(Status)> done) override;
  // POST /control/readers/{reader}/tap {"card":…}.
  void tap(const std::string& reader, const std::string& card, std::function<void(Result<int>)> done) override;
  // POST /control/readers/{reader} {"fault":…}.
  void set_reader_fault(const std::string& reader, const std::string& fault, std::function<void(Status)> done) override;

 private:
  boost::asio::io_context& io_;
  std::uint16_t port_;
};

}  // namespace passgate::sim
