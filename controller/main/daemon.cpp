#include "controller/main/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <spdlog/spdlog.h>

#include "common/asio_time.hpp"
#include "common/time_format.hpp"
#include "controller/admission_service.hpp"
#include "controller/gate.hpp"
#include "controller/key_ring.hpp"
#include "controller/outbox_sender.hpp"
#include "controller/tracking_reports.hpp"
#include "controller/main/session_recovery.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"
#include "drivers/rig_link.hpp"
#include "drivers/tracking_client.hpp"
#include "hw/gate_lines.hpp"

namespace passgate::daemon {

namespace {

using namespace std::chrono_literals;

hw::GateLines lines_of(const controller::GateConfig& config) {
  std::vector<int> entry, exit;
  for (const auto& l : config.lanes) (l.kind == controller::LaneKind::entry ? entry : exit).push_back(l.number);
  return hw::gate_lines(entry, exit);
}

// Forgets used token ids once their tokens can no longer be accepted anyway (each is
// stored with exp + skew as its end).
class TokenPurge {
 public:
  TokenPurge(db::SessionStore& sessions, TimerService& timers, Clock& clock)
      : sessions_(sessions), timers_(timers), clock_(clock) {
    run();
  }

 private:
  void run() {
    const auto before = unix_seconds(clock_.wall_now());
    if (auto purged = sessions_.purge_used_tokens(before); !purged.ok()) {
      spdlog::warn("used-token purge failed: {}", purged.error().message);
    }
    timer_ = timers_.start(std::chrono::minutes(10), [this] { run(); });
  }
  db::SessionStore& sessions_;
  TimerService& timers_;
  Clock& clock_;
  std::unique_ptr<Timer> timer_;
};

}  // namespace

int run_daemon(const controller::GateConfig& config) {
  boost::asio::io_context io;
  AsioTime time(io);

  auto database = db::Database::open(config.database);
  if (!database.ok()) {
    spdlog::critical("cannot open the database {}: {}", config.database.string(), database.error().message);
    return 1;
  }
  db::SessionStore sessions(**database);
  db::Outbox outbox(**database);

  controller::KeyRing keys(config.keyset);
  if (auto loaded = keys.reload(); !loaded.ok()) {
    spdlog::critical("cannot load the issuer key set {}: {}", config.keyset.string(), loaded.error().message);
    return 1;
  }

  auto tracking = drivers::TrackingClient::create(io, config.tracking, config.gate_id);
  if (!tracking.ok()) {
    spdlog::critical("tracking engine client: {}", tracking.error().message);
    return 1;
  }

  if (config.io.backend != controller::IoBackendKind::sim) {
    spdlog::critical("io.backend \"gpiod\" is validated but not driven by this version of passgated; "
                     "use backend \"sim\"");
    return 1;
  }
  auto rig = drivers::RigLink::open(io, config.io.sim_socket, lines_of(config));
  if (!rig.ok()) {
    spdlog::critical("rig link on {}: {}", config.io.sim_socket.string(), rig.error().message);
    return 1;
  }

  controller::OutboxSender sender(outbox, **tracking, time, time, config.tracking.request_timeout);
  const controller::GateIdentity identity{config.store_id, config.gate_id};
  controller::TrackingReports reports(identity, outbox, sessions, time, sender);
  controller::AdmissionService admission(controller::admission_settings(config), keys, sessions, **tracking, sender,
                                         time, time);
  recover_interrupted_sessions(sessions, time);
  TokenPurge purge(sessions, time, time);
  controller::Gate gate(config, **rig, time, time, admission, reports);

  boost::asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&io](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    io.stop();
  });
  boost::asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (auto r = keys.reload(); r.ok()) {
        spdlog::info("SIGHUP: issuer key set reloaded from {} ({} key(s))", keys.file().string(),
                     keys.current()->size());
      } else {
        spdlog::error("SIGHUP: issuer key set NOT reloaded, the previous one stays in force: {}",
                      r.error().message);
      }
      wait_reload();
    });
  };
  wait_reload();

  sender.kick();
  spdlog::info("passgated ready: store {} gate {}, {} lane(s), rig socket {}, tracking engine {}, offline policy {}",
               config.store_id, config.gate_id, config.lanes.size(), config.io.sim_socket.string(),
               config.tracking.base_url,
               config.offline.policy == controller::OfflinePolicy::admit ? "admit" : "deny");
  io.run();
  spdlog::info("passgated stopped");
  return 0;
}

}  // namespace passgate::daemon
