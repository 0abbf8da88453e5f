#include "passgated/control_commands.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "passgated/control_lanes.hpp"
#include "passgated/control_outbox.hpp"
#include "passgated/control_quarantine.hpp"
#include "passgated/control_queue.hpp"
#include "passgated/control_request.hpp"
#include "passgated/control_sessions.hpp"
#include "passgated/control_status.hpp"
#include "db/session_store.hpp"
#include "drivers/control_request_parser.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

json reply_of(Result<json> result) {
  if (!result.ok()) return drivers::control_error(result.error());
  return std::move(result).value();
}

}  // namespace

ControlCommands::ControlCommands(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock,
                                 ControlSources sources, ReloadConfig reload)
    : gate_(gate),
      clock_(clock),
      sources_(std::move(sources)),
      reload_(std::move(reload)),
      hw_(gate, io, timers, clock),
      started_at_(clock.wall_now()),
      started_steady_(clock.steady_now()) {}

void ControlCommands::handle(const json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
  json reply;
  try {
    reply = answer(request["cmd"].get<std::string>(), request, peer);
  } catch (const json::exception& e) {
    reply = refused("malformed", std::string("a field of the request is missing or has the wrong type: ") + e.what());
  }
  (void)peer->send(reply);
}

void ControlCommands::handle_read_only(const json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
  const auto cmd = request["cmd"].get<std::string>();
  if (drivers::is_read_only_command(cmd)) return handle(request, peer);
  spdlog::warn("event=control_read_only_refused cmd={} uid={}", log_value(cmd), peer->uid());
  (void)peer->send(refused("read_only", "\"" + cmd +
                                            "\" is not served on the read-only control socket, which answers only "
                                            "status, lanes, sessions, queue and outbox; it needs the operators' socket"));
}

json ControlCommands::answer(const std::string& cmd, const json& request,
                             const std::shared_ptr<drivers::ControlPeer>& peer) {
  const WallTime now = clock_.wall_now();
  if (cmd == "status") {
    const Uptime uptime{started_at_,
                        std::chrono::duration_cast<std::chrono::seconds>(clock_.steady_now() - started_steady_)};
    return reply_of(status_reply(gate_, sources_, uptime, now, clock_.steady_now()));
  }
  if (cmd == "lanes") return lanes_reply(gate_);
  if (cmd == "lane.service") {
    const auto lane = lane_argument(request);
    if (!lane.ok()) return drivers::control_error(lane.error());
    hw_.end_pulses_of_lane(*lane);
    return set_service(gate_, *lane, request, *peer);
  }
  if (cmd == "sessions") return reply_of(sessions_reply(sources_.database, request, now));
  if (cmd == "sessions.cancel") {
    const auto in_use = [this](const std::string& id) -> Status {
      const std::string head = "session " + id + " may still be in use: ";
      if (sources_.admission.answer_pending(id)) {
        return make_error("in_use", head + "its admission is being told to its lane; try again");
      }
      if (gate_.grant_open_for(id)) {
        return make_error("in_use", head + "its lane holds its grant (someone may still walk through on it); "
                                           "cancel it once the grant has ended");
      }
      if (sources_.reports.passage_unstored(id)) {
        return make_error("entered", "cannot cancel session " + id +
                                         ": a passage on it was seen but the database refused to store it "
                                         "(event=passage_store_failed): somebody entered");
      }
      return {};
    };
    return reply_of(session_cancel(sources_.database, request, *peer, now, in_use, [this](const std::string& id) {
      sources_.admission.ended_by_operator(id);                // its waiting writes are not needed
      if (sources_.outbox_changed) sources_.outbox_changed();  // the cancel goes to the tracking engine
      if (sources_.queue_changed) sources_.queue_changed();    // the planner voids or finishes its hold
    }));
  }
  if (cmd == "queue") return reply_of(queue_reply(sources_.database, request, now));
  if (cmd == "queue.retry") {
    return reply_of(queue_retry(sources_.database, request, *peer, now, sources_.queue_changed));
  }
  if (cmd == "queue.write_off") return reply_of(queue_write_off(sources_.database, request, *peer, now, sources_.queue_changed));
  if (cmd == "queue.charge_cart" || cmd == "queue.write_off_cart") return quarantined_cart(cmd, request, *peer, now);
  if (cmd == "outbox") return reply_of(outbox_reply(sources_.database, request, now));
  if (cmd == "outbox.retry") {
    return reply_of(outbox_retry(sources_.database, request, *peer, now, sources_.outbox_changed));
  }
  if (cmd == "outbox.drop") return reply_of(outbox_drop(sources_.database, request, *peer, now, sources_.outbox_changed));
  if (cmd == "reload") return reload(request, *peer);
  if (cmd == "hw.inputs") return hw_.inputs(request, peer);
  if (cmd == "hw.pulse") return hw_.pulse(request, *peer);
  if (cmd == "hw.scanners") return hw_.scanners(request, peer);
  return refused("unknown_command", "unknown command \"" + cmd +
                                        "\" (this gate knows: status, lanes, lane.service, sessions, sessions.cancel, queue, "
                                        "queue.retry, queue.write_off, queue.charge_cart, queue.write_off_cart, outbox, "
                                        "outbox.retry, outbox.drop, reload, "
                                        "hw.inputs, hw.pulse, hw.scanners)");
}

json ControlCommands::quarantined_cart(const std::string& cmd, const json& request, const drivers::ControlPeer& peer,
                                       WallTime now) {
  if (cmd == "queue.charge_cart") {
    return reply_of(queue_charge_cart(sources_.database, sources_.config.payments, request, peer, now,
                                      sources_.queue_changed));
  }
  return reply_of(queue_write_off_cart(sources_.database, request, peer, now, sources_.queue_changed));
}

json ControlCommands::reload(const json& request, const drivers::ControlPeer& peer) {
  spdlog::info("event=reload_requested via=control_socket operator={} uid={}", log_value(operator_of(request, peer)),
               peer.uid());
  const controller::ReloadReport report = reload_();  // it logs what it did
  return drivers::control_ok(json{{"reloaded", report.reloaded},
                                  {"applied", report.applied},
                                  {"needs_restart", report.needs_restart},
                                  {"problems", report.problems},
                                  {"not_applied", report.not_applied},
                                  {"config_file", sources_.config.source.string()}});
}

}  // namespace passgate::daemon
