// passgate-bench-lanes: scan-to-release latency with several entry lanes busy at once, as a
// rig sees it (rig `scan` -> `out laneN.release_in 1`). Each lane given with --lane gets
// shoppers at --per-minute a minute, evenly spaced, starting at a random moment of the first
// period (its phase), so the lanes' scans interleave as real shoppers' do instead of arriving
// in lock-step. After its release each shopper walks in, and the lane takes its next shopper
// once its barrier closed again; a scan due while its lane is still busy goes as soon as the
// lane is free (counted as late). Tokens are minted for each lane's next shopper as soon as
// its lane closes, outside the timing. One rig connection drives every lane (the gate takes
// one rig). Run against a running passgated with debounce 0 (tools/bench/run.py sets it up).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "tools/bench/bench_stats.hpp"
#include "tools/bench/rig_client.hpp"
#include "tools/bench/token_source.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Lane {
  std::string name;  // "lane3"
  enum class Step { waiting, scanned, walking } step = Step::waiting;
  Clock::time_point due;
  Clock::time_point scanned_at;
  std::string token;
  std::vector<double> micros;
  int late = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-lanes: scan-to-release latency with several entry lanes scanned at once"};
  std::string socket, key_file, kid, issuer, audience, json_file, shopper_prefix = "shp_lanes_";
  std::vector<int> lane_numbers;
  double per_minute = 60;
  double seconds = 60;
  unsigned seed = 1;
  app.add_option("--socket", socket, "the gate's rig socket")->required();
  app.add_option("--issuer-key", key_file, "issuer private key (PEM)")->required();
  app.add_option("--kid", kid, "its key id")->required();
  app.add_option("--issuer", issuer, "iss claim")->required();
  app.add_option("--audience", audience, "aud claim (store id)")->required();
  app.add_option("--lane", lane_numbers, "an entry lane number (repeatable)")->required();
  app.add_option("--per-minute", per_minute, "shoppers a minute on each lane")->capture_default_str()
      ->check(CLI::Range(1.0, 600.0));
  app.add_option("--seconds", seconds, "how long shoppers keep coming")->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed of the lanes' phases")->capture_default_str();
  app.add_option("--shopper-prefix", shopper_prefix, "shopper ids are this plus a running number")
      ->capture_default_str();
  app.add_option("--json", json_file, "also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);

  try {
    passgate::bench::TokenSource tokens(key_file, kid, issuer, audience, shopper_prefix);
    passgate::bench::RigClient rig(socket);
    rig.input("fire_alarm", false);
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(60.0 / per_minute));
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> phase(0.0, 1.0);
    std::vector<Lane> lanes;
    for (int n : lane_numbers) {
      Lane lane;
      lane.name = "lane" + std::to_string(n);
      rig.clear_entry_lane(lane.name);
      lane.token = tokens.next();
      lanes.push_back(std::move(lane));
    }
    const auto start = Clock::now() + std::chrono::milliseconds(100);
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (Lane& lane : lanes) {
      lane.due = start + std::chrono::duration_cast<Clock::duration>(period * phase(random));
    }
    const auto lane_of = [&](const std::string& line) -> Lane* {
      for (Lane& lane : lanes) {
        if (line == lane.name + ".release_in") return &lane;
      }
      return nullptr;
    };
    for (;;) {
      auto now = Clock::now();
      bool busy = false;
      auto wake = now + std::chrono::seconds(1);
      for (Lane& lane : lanes) {
        if (lane.step == Lane::Step::waiting && lane.due < end) {
          if (lane.due <= now) {
            if (now - lane.due > std::chrono::milliseconds(50)) ++lane.late;
            lane.scanned_at = Clock::now();
            rig.scan(lane.name + ".entry", lane.token);
            lane.step = Lane::Step::scanned;
          } else {
            wake = std::min(wake, lane.due);
          }
        }
        busy = busy || lane.step != Lane::Step::waiting || lane.due < end;
      }
      if (!busy) break;
      const auto change = rig.next_output(wake);
      if (!change) {
        for (const Lane& lane : lanes) {
          if (lane.step != Lane::Step::waiting && Clock::now() - lane.scanned_at > std::chrono::seconds(30)) {
            throw std::runtime_error(lane.name + ": the gate did not release or close within 30 s");
          }
        }
        continue;
      }
      Lane* lane = lane_of(change->line);
      if (lane == nullptr) continue;
      if (lane->step == Lane::Step::scanned && change->level) {
        lane->micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - lane->scanned_at).count());
        rig.walk_in(lane->name);
        lane->step = Lane::Step::walking;
      } else if (lane->step == Lane::Step::walking && !change->level) {
        lane->step = Lane::Step::waiting;
        lane->due += period;
        lane->token = tokens.next();
      }
    }

    std::vector<double> all;
    nlohmann::json per_lane = nlohmann::json::object();
    int late = 0;
    for (const Lane& lane : lanes) {
      all.insert(all.end(), lane.micros.begin(), lane.micros.end());
      per_lane[lane.name] = passgate::bench::latency_summary(lane.micros);
      late += lane.late;
    }
    auto summary = passgate::bench::latency_summary(all);
    summary["lanes"] = lanes.size();
    summary["per_minute_each"] = per_minute;
    summary["seconds"] = seconds;
    summary["late_scans"] = late;
    summary["per_lane"] = std::move(per_lane);
    std::cout << lanes.size() << " lane(s) at " << per_minute << "/min each: "
              << passgate::bench::describe_latency(summary) << " (" << late << " scans late)\n";
    passgate::bench::write_json(json_file, summary);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-lanes: " << e.what() << '\n';
    return 1;
  }
}
