// passgate-bench-tap: tap-to-release latency of card entry, as the shopper and the rig see it:
// from the tap at the lane's simulated reader (the gateway simulator's tap, POST
// /control/readers/{reader}/tap, the one the reader read) to the gate's `out
// lane<N>.release_in 1` on the rig socket. Each shopper steps into the outer beam (where the
// reader is: the gate then reads the reader every [terminal] poll_fast_ms), stands there a
// random --dwell-min-ms..--dwell-max-ms, taps, and walks in once released; the next shopper
// comes when the barrier has closed. A tap the reader does not take (the lane still re-arming
// after the previous shopper) is tapped again, its timing restarted. Cards go round the
// simulator's approving test cards. Run against a running passgated with debounce 0 whose
// lane has the reader and card entry on (tools/bench/card_taps.py sets everything up).
#include <boost/asio/io_context.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tools/bench/bench_stats.hpp"
#include "tools/bench/rig_client.hpp"
#include "tools/sim/rig/simulator_faults.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRead = 200;  // the simulator read the card
constexpr std::chrono::milliseconds kRetap{10};

// The simulator's approving test cards (docs/card-tap-simulator.md), each its own fingerprint.
const std::vector<std::string> kCards{"4242424242424242", "5555555555554444", "5200828282828210", "378282246310005",
                                      "6011111111111117", "4000056655665556", "3566002020360505"};

// One tap at the simulator: its HTTP status.
int tap(boost::asio::io_context& io, passgate::sim::GatewayControl& gateway, const std::string& reader,
        const std::string& card) {
  passgate::Result<int> status = 0;
  gateway.tap(reader, card, [&status](passgate::Result<int> s) { status = std::move(s); });
  io.restart();
  io.run();
  if (!status) throw std::runtime_error("tap: " + status.error().message);
  return *status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-tap: tap-to-release latency of card entry through a running passgated"};
  std::string socket, reader, json_file;
  int count = 1000;
  int lane = 1;
  int gateway_control_port = 0;
  int dwell_min_ms = 250;
  int dwell_max_ms = 500;
  int deadline_ms = 30000;
  unsigned seed = 1;
  app.add_option("--socket", socket, "the gate's rig socket")->required();
  app.add_option("--gateway-control-port", gateway_control_port, "the gateway simulator's control port")
      ->required()->check(CLI::Range(1, 65535));
  app.add_option("--reader", reader, "the lane's reader id (its [[lanes]] terminal_reader)")->required();
  app.add_option("--count", count, "taps to time")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lane", lane, "entry lane number")->capture_default_str();
  app.add_option("--dwell-min-ms", dwell_min_ms, "least time a shopper stands in the outer beam before tapping")
      ->capture_default_str()->check(CLI::Range(0, 10000));
  app.add_option("--dwell-max-ms", dwell_max_ms, "most time a shopper stands in the outer beam before tapping")
      ->capture_default_str()->check(CLI::Range(0, 10000));
  app.add_option("--seed", seed, "seed of the dwell times")->capture_default_str();
  app.add_option("--deadline-ms", deadline_ms, "give up when the gate does not release or close within this")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--json", json_file, "also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);
  if (dwell_max_ms < dwell_min_ms) {
    std::cerr << "passgate-bench-tap: --dwell-max-ms is below --dwell-min-ms\n";
    return 2;
  }

  try {
    const std::string l = "lane" + std::to_string(lane);
    passgate::bench::RigClient rig(socket);
    rig.input("fire_alarm", false);
    rig.clear_entry_lane(l);
    boost::asio::io_context io;
    passgate::sim::GatewayControl gateway(io, static_cast<std::uint16_t>(gateway_control_port));
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> dwell(dwell_min_ms, dwell_max_ms);
    const std::chrono::milliseconds deadline(deadline_ms);

    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(count));
    long retaps = 0;
    for (int i = 0; i < count; ++i) {
      rig.input(l + ".beam_outer", true);  // at the reader
      std::this_thread::sleep_for(std::chrono::milliseconds(dwell(random)));
      const std::string& card = kCards[static_cast<std::size_t>(i) % kCards.size()];
      const auto give_up = Clock::now() + deadline;
      auto t0 = Clock::now();
      while (tap(io, gateway, reader, card) != kRead) {
        if (Clock::now() > give_up) throw std::runtime_error("the reader took no card within --deadline-ms");
        ++retaps;
        std::this_thread::sleep_for(kRetap);
        t0 = Clock::now();
      }
      rig.wait_output(l + ".release_in", true, deadline);
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      rig.walk_in(l);
      rig.wait_output(l + ".release_in", false, deadline);
    }
    auto summary = passgate::bench::latency_summary(micros);
    std::cout << "tap-to-release: " << passgate::bench::describe_latency(summary) << " (" << retaps
              << " taps again while the lane re-armed)\n";
    summary["retaps"] = retaps;
    summary["cards"] = kCards.size();
    summary["dwell_ms"] = {dwell_min_ms, dwell_max_ms};
    passgate::bench::write_json(json_file, summary);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-tap: " << e.what() << '\n';
    return 1;
  }
}
