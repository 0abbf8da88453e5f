// For the tests of gateway-ctl against a running server: run_sim runs `passgate-sim
// <command line>` (gateway and gateway-ctl) in the test's own process, capturing what it
// prints, and ThreadedGateway runs a GatewayServer's io_context on its own thread meanwhile.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "tools/sim/gateway/server.hpp"

namespace passgate::test {

struct SimRun {
  int exit_code = 0;
  std::string out;
  std::string err;
};

[[nodiscard]] SimRun run_sim(const std::string& command_line);

// A GatewayServer (with the tests' API key) serving from its own thread until join(); read
// its state only after join().
class ThreadedGateway {
 public:
  explicit ThreadedGateway(sim::GatewayServerOptions options = {});
  ~ThreadedGateway() { join(); }
  ThreadedGateway(const ThreadedGateway&) = delete;
  ThreadedGateway& operator=(const ThreadedGateway&) = delete;

  // "gateway-ctl --control-port C ".
  [[nodiscard]] std::string ctl() const;
  // Stops the loop and waits for its thread.
  void join();

  boost::asio::io_context io;  // first member: destroyed last
  std::unique_ptr<sim::GatewayServer> server;

 private:
  std::thread loop_;
};

}  // namespace passgate::test
