#include "tests/gateway_sim/sim_run.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "tests/gateway_sim/gateway_fixture.hpp"

#include "tools/sim/commands.hpp"

namespace passgate::test {

SimRun run_sim(const std::string& command_line) {
  CLI::App app;
  app.require_subcommand(1);
  SimRun run;
  sim::add_gateway_command(app, run.exit_code);
  std::ostringstream out;
  std::ostringstream err;
  auto* saved_out = std::cout.rdbuf(out.rdbuf());
  auto* saved_err = std::cerr.rdbuf(err.rdbuf());
  try {
    app.parse(command_line, false);
  } catch (const CLI::ParseError& e) {
    run.exit_code = app.exit(e, std::cout, std::cerr);
  }
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

ThreadedGateway::ThreadedGateway(sim::GatewayServerOptions options) {
  if (options.api_key.empty()) options.api_key = kApiKey;
  auto made = sim::GatewayServer::create(io, std::move(options));
  if (!made) FAIL(made.error().message);
  server = std::move(made.value());
  loop_ = std::thread([this] {
    auto work = boost::asio::make_work_guard(io);
    io.run();
  });
}

std::string ThreadedGateway::ctl() const {
  return "gateway-ctl --control-port " + std::to_string(server->control_port()) + " ";
}

void ThreadedGateway::join() {
  if (!loop_.joinable()) return;
  io.stop();
  loop_.join();
}

}  // namespace passgate::test
