// AsioTime: the real Clock and TimerService, backed by one boost::asio::io_context.
// Single-threaded: call only from the thread running the io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include "common/clock.hpp"

namespace passgate {

class AsioTime final : public Clock, public TimerService {
 public:
  explicit AsioTime(boost::asio::io_context& io) : io_(io) {}

  [[nodiscard]] WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
  [[nodiscard]] std::unique_ptr<Timer> start(Millis delay, std::function<void()> fn) override;
  void post(std::function<void()> fn) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace passgate
