#include "tools/sim/rig/run.hpp"

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/asio_time.hpp"
#include "common/posix.hpp"
#include "tools/sim/rig/connection.hpp"
#include "tools/sim/rig/scenario_player.hpp"

namespace passgate::sim {
namespace {

nlohmann::json run_info(const RigOptions& o, const Scenario& scenario) {
  return {{"scenario", scenario.source}, {"name", scenario.name}, {"socket", o.socket.string()},
          {"seed", o.seed},              {"time_scale", o.time_scale}};
}

[[nodiscard]] Status write_summary(const std::filesystem::path& file, const nlohmann::json& summary) {
  std::ofstream f(file, std::ios::trunc);
  if (f) f << summary.dump(2) << "\n";
  if (!f) return os_error("cannot write the summary to", file, errno);
  return {};
}

}  // namespace

int run_rig(const RigOptions& o, std::ostream& out, std::ostream& err) {
  auto scenario = load_scenario(o.scenario);
  if (!scenario) {
    err << "passgate-sim rig: " << scenario.error().message << "\n";
    return 1;
  }
  if (scenario->uses_tracking() && !o.tracking_control_port) {
    err << "passgate-sim rig: scenario " << scenario->source
        << " has tracking steps; give the tracking simulator's control port with --tracking-control-port\n";
    return 1;
  }
  if (scenario->uses_gateway() && !o.gateway_control_port) {
    err << "passgate-sim rig: scenario " << scenario->source
        << " has gateway or tap steps; give the gateway simulator's control port with --gateway-control-port\n";
    return 1;
  }
  auto key = IssuerKey::load(o.issuer_key, o.kid);
  if (!key) {
    err << "passgate-sim rig: " << key.error().message << "\n";
    return 1;
  }

  boost::asio::io_context io;
  AsioTime time(io);
  ScaledTimers rig_timers(time, o.time_scale);
  Conditions conditions(time);
  GateView gate(conditions);
  RigReport report(time, out);
  RigConnection link(io, gate,
                     {.gate_error = [&](const std::string& m) { report.gate_error(m); },
                      .problem = [&](const std::string& m) { report.protocol_problem(m); },
                      .lost = [&](const std::string& why) {
                        report.connection_lost(why);
                        io.stop();
                      }});
  if (auto connected = link.connect(o.socket); !connected) {
    err << "passgate-sim rig: " << connected.error().message << "\n";
    return 1;
  }
  std::ostringstream started;
  started << "connected to " << o.socket.string() << "; scenario " << scenario->source << ", seed " << o.seed
          << ", time scale " << o.time_scale;
  report.note(started.str());

  RigScanner scanner({*key, o.issuer, o.audience}, link, gate, time, time);
  std::optional<TrackingControl> tracking;
  if (o.tracking_control_port) tracking.emplace(io, *o.tracking_control_port);
  std::optional<GatewayControl> gateway;
  if (o.gateway_control_port) gateway.emplace(io, *o.gateway_control_port);
  bool completed = false;
  ScenarioPlayer player(*scenario,
                        RigParts{time, time, rig_timers, gate, link, scanner, report,
                                 tracking ? &*tracking : nullptr, gateway ? &*gateway : nullptr,
                                 gateway ? &*gateway : nullptr, o.seed,
                                 o.scanner_suffix},
                        [&](bool done) {
                          completed = done;
                          link.close([&] { io.stop(); });
                        });
  player.start();
  io.run();

  report.print_summary(completed);
  if (!o.summary_json.empty()) {
    if (auto written = write_summary(o.summary_json, report.summary_json(completed, run_info(o, *scenario))); !written) {
      err << "passgate-sim rig: " << written.error().message << "\n";
      return 1;
    }
  }
  return report.passed(completed) ? 0 : 1;
}

}  // namespace passgate::sim
