// passgate-bench-exit: exit release latency, measured as a rig sees it: from writing the
// rig's `in laneN.beam_inner 1` (someone steps up to a closed exit lane from inside the store)
// to reading the gate's `out laneN.release_out 1`. Exits are free: nothing on this path may
// wait for the tracking engine or the payment gateway. The person then walks out, and the lane
// closes again once it has been clear for ExitLane::kClearHold; the next exit is timed on the
// next lane, so several exit lanes keep the run short. People step up at least --gap-ms apart
// (as they do), so an exit is not timed while the gate is still committing the previous
// person's passage to its outbox. Run against a running passgated with debounce 0
// (tools/bench/run.sh sets everything up, with backends healthy or faulted).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench_stats.hpp"
#include "tools/bench/rig_client.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-exit: exit release latency through a running passgated"};
  std::string socket, json_file;
  std::vector<int> lanes;
  int count = 1000;
  int gap_ms = 60;
  app.add_option("--socket", socket, "the gate's rig socket")->required();
  app.add_option("--lane", lanes, "an exit lane number (repeatable; exits go round them)")->required();
  app.add_option("--count", count, "exits to time")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--gap-ms", gap_ms, "least time between two people stepping up")->capture_default_str();
  app.add_option("--json", json_file, "also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);

  try {
    passgate::bench::RigClient rig(socket);
    rig.input("fire_alarm", false);
    for (int lane : lanes) {
      rig.input("lane" + std::to_string(lane) + ".beam_outer", false);
      rig.input("lane" + std::to_string(lane) + ".beam_inner", false);
    }
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(count));
    auto next_person = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) {
      const std::string l = "lane" + std::to_string(lanes[static_cast<std::size_t>(i) % lanes.size()]);
      rig.wait_output(l + ".release_out", false);  // closed: the last person's clear hold is over
      std::this_thread::sleep_until(next_person);
      const auto t0 = std::chrono::steady_clock::now();
      next_person = t0 + std::chrono::milliseconds(gap_ms);
      rig.input(l + ".beam_inner", true);
      rig.wait_output(l + ".release_out", true);
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      rig.input(l + ".beam_outer", true);
      rig.input(l + ".beam_inner", false);
      rig.input(l + ".beam_outer", false);
    }
    const auto summary = passgate::bench::latency_summary(micros);
    std::cout << "exit release: " << passgate::bench::describe_latency(summary) << '\n';
    passgate::bench::write_json(json_file, summary);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-exit: " << e.what() << '\n';
    return 1;
  }
}
