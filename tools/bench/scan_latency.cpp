// passgate-bench-scan: scan-to-release latency, measured as a rig sees it: from writing the
// rig's `scan` message to reading the gate's `out lane<N>.release_in 1`. Each token is
// minted just before its scan (outside the timing) for its own shopper, and each admitted
// person then walks in, so the lane is closed again before the next scan. Run against a
// running passgated with debounce 0 (tools/bench/run.sh sets everything up). With --times
// the JSON also lists each scan's wall time and latency, so a run can tell which scans fell
// into a window (e.g. while the payment queue drained).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "common/time_format.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/bench/rig_client.hpp"
#include "tools/bench/token_source.hpp"

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-scan: scan-to-release latency through a running passgated"};
  std::string socket, key_file, kid, issuer, audience, json_file, shopper_prefix = "shp_bench_";
  int count = 1000;
  int lane = 1;
  app.add_option("--socket", socket, "the gate's rig socket")->required();
  app.add_option("--issuer-key", key_file, "issuer private key (PEM)")->required();
  app.add_option("--kid", kid, "its key id")->required();
  app.add_option("--issuer", issuer, "iss claim")->required();
  app.add_option("--audience", audience, "aud claim (store id)")->required();
  app.add_option("--count", count, "scans to time")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--lane", lane, "entry lane number")->capture_default_str();
  app.add_option("--shopper-prefix", shopper_prefix, "shopper ids are this plus the scan's number")
      ->capture_default_str();
  app.add_option("--json", json_file, "also write the figures as JSON here");
  bool times = false;
  app.add_flag("--times", times, "the JSON also lists every scan as [wall time in Unix ms, latency in us]");
  double max_seconds = 0;
  app.add_option("--max-seconds", max_seconds, "stop scanning after this long, even before --count (0: no limit)");
  int deadline_ms = 30000;
  app.add_option("--deadline-ms", deadline_ms, "give up when the gate does not release or close within this")
      ->capture_default_str()->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  try {
    passgate::bench::TokenSource tokens(key_file, kid, issuer, audience, shopper_prefix);
    const std::string l = "lane" + std::to_string(lane);
    passgate::bench::RigClient rig(socket);
    rig.input("fire_alarm", false);
    rig.clear_entry_lane(l);

    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(count));
    nlohmann::json samples = nlohmann::json::array();
    const std::chrono::milliseconds deadline(deadline_ms);
    const auto started = std::chrono::steady_clock::now();
    const auto out_of_time = [&] {
      return max_seconds > 0 &&
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > max_seconds;
    };
    for (int i = 0; i < count && !out_of_time(); ++i) {
      const std::string token = tokens.next();
      const auto at_ms = passgate::unix_millis(std::chrono::system_clock::now());
      const auto t0 = std::chrono::steady_clock::now();
      rig.scan(l + ".entry", token);
      rig.wait_output(l + ".release_in", true, deadline);
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      if (times) samples.push_back({at_ms, micros.back()});
      rig.walk_in(l);
      rig.wait_output(l + ".release_in", false, deadline);
    }
    auto summary = passgate::bench::latency_summary(micros);
    std::cout << "scan-to-release: " << passgate::bench::describe_latency(summary) << '\n';
    if (times) summary["samples"] = std::move(samples);
    passgate::bench::write_json(json_file, summary);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-scan: " << e.what() << '\n';
    return 1;
  }
}
