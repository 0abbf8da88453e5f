#include "controller/main/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <spdlog/spdlog.h>

#include "common/asio_time.hpp"
#include "common/time_format.hpp"
#include "controller/admission_service.hpp"
#include "controller/carts_feed.hpp"
#include "controller/entry_hold.hpp"
#include "controller/gate.hpp"
#include "controller/key_ring.hpp"
#include "controller/outbox_sender.hpp"
#include "controller/payment_drainer.hpp"
#include "controller/settlement_planner.hpp"
#include "controller/tracking_reports.hpp"
#include "controller/main/control_commands.hpp"
#include "controller/system_group.hpp"
#include "controller/main/session_recovery.hpp"
#include "crypto/payment_sealer.hpp"
#include "crypto/secret_file.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "drivers/control_server.hpp"
#include "drivers/gateway_client.hpp"
#include "drivers/hardware_backend.hpp"
#include "drivers/rig_link.hpp"
#include "drivers/scanner_factory.hpp"
#include "drivers/tracking_client.hpp"
#include "hw/gate_lines.hpp"
#include "hw/io_backend.hpp"

namespace passgate::daemon {

namespace {

using namespace std::chrono_literals;

hw::GateLines lines_of(const controller::GateConfig& config) {
  std::vector<int> entry, exit;
  for (const auto& l : config.lanes) (l.kind == controller::LaneKind::entry ? entry : exit).push_back(l.number);
  return hw::gate_lines(entry, exit);
}

// The lanes' I/O: the rig socket (sim), or GPIO lines and scanners (gpiod). An error's
// message says what could not start (a gpiod line names its config entry).
Result<std::unique_ptr<hw::IoBackend>> open_backend(boost::asio::io_context& io, TimerService& timers,
                                                    const controller::GateConfig& config) {
  if (config.io.backend == controller::IoBackendKind::sim) {
    auto rig = drivers::RigLink::open(io, config.io.sim_socket, lines_of(config));
    if (!rig.ok()) {
      return make_error(rig.error().code, "rig link on " + config.io.sim_socket.string() + ": " + rig.error().message);
    }
    return std::unique_ptr<hw::IoBackend>(std::move(*rig));
  }
  auto scanners = drivers::make_scanners(io, timers, config.io);
  if (!scanners.ok()) return make_error(scanners.error().code, "scanners: " + scanners.error().message);
  auto hardware = drivers::HardwareBackend::open(io, timers, config.io, std::move(*scanners));
  if (!hardware.ok()) return make_error(hardware.error().code, "GPIO: " + hardware.error().message);
  return std::unique_ptr<hw::IoBackend>(std::move(*hardware));
}

std::string describe_backend(const controller::IoConfig& io) {
  if (io.backend == controller::IoBackendKind::sim) return "rig socket " + io.sim_socket.string();
  return "GPIO (" + std::to_string(io.gpiod_lines.size()) + " lines, " + std::to_string(io.scanners.size()) +
         " scanner(s))";
}

// The control socket's owner group, if the config names one.
Result<std::optional<gid_t>> control_group(const controller::ControlConfig& control) {
  if (control.group.empty()) return std::optional<gid_t>();
  const auto gid = controller::find_group(control.group);
  if (!gid) return make_error("bad_config", "[control] group \"" + control.group + "\" does not exist on this machine");
  return gid;
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

  const controller::PaymentsConfig& payments = config.payments;
  auto sealer = crypto::PaymentSealer::load(payments.seal_key_file, payments.previous_seal_key_files);
  if (!sealer.ok()) {
    spdlog::critical("payment sealing key: {}", sealer.error().message);
    return 1;
  }
  auto api_key = crypto::read_secret_text_file(payments.api_key_file, "the payment gateway's API key");
  if (!api_key.ok()) {
    spdlog::critical("{}", api_key.error().message);
    return 1;
  }
  auto gateway = drivers::GatewayClient::create(
      io, drivers::GatewayClientOptions{payments.gateway_url, std::move(*api_key), payments.ca_bundle});
  if (!gateway.ok()) {
    spdlog::critical("{}", gateway.error().message);
    return 1;
  }

  auto tracking = drivers::TrackingClient::create(io, config.tracking, config.gate_id);
  if (!tracking.ok()) {
    spdlog::critical("tracking engine client: {}", tracking.error().message);
    return 1;
  }

  auto backend = open_backend(io, time, config);
  if (!backend.ok()) {
    spdlog::critical("{}", backend.error().message);
    return 1;
  }

  controller::OutboxSender sender(outbox, **tracking, time, time, config.tracking.request_timeout);
  const controller::GateIdentity identity{config.store_id, config.gate_id};
  controller::TrackingReports reports(identity, outbox, sessions, time, sender);
  db::PaymentQueue queue(**database);
  db::SettlementStore settlements(**database);
  db::GateStatus gate_status(**database);
  controller::DrainerSettings drainer_settings;
  drainer_settings.gate_id = config.gate_id;
  drainer_settings.max_in_flight = payments.max_in_flight;
  drainer_settings.retry = controller::RetryPolicy{payments.retry_initial, payments.retry_max};
  drainer_settings.request_timeout = payments.request_timeout;
  controller::PaymentDrainer drainer(drainer_settings, queue, sessions, *sealer, **gateway, gate_status, time, time);
  controller::SettlementPlanner planner(settlements, queue, time, [&drainer] { drainer.kick(); });
  drainer.set_on_final([&planner, &time](const db::PaymentOpRecord& op) {
    if (op.op == "preauth") time.post([&planner] { planner.run(); });
  });
  controller::CartsFeed carts(
      controller::CartsFeedSettings{identity, payments.carts_poll_interval, payments.carts_page_limit,
                                    config.tracking.request_timeout},
      **tracking, settlements, time, time, [&planner] { planner.run(); });
  controller::EntryHold hold(
      controller::EntryHoldSettings{payments.hold_amount_minor, payments.currency, payments.entry_timeout,
                                    payments.offline_limits},
      queue, drainer, time);
  controller::AdmissionService admission(controller::admission_settings(config), keys, *sealer, sessions, **tracking,
                                         sender, &hold, time, time);
  recover_interrupted_sessions(sessions, time);
  TokenPurge purge(sessions, time, time);
  controller::Gate gate(config, **backend, time, time, admission, reports);
  ControlCommands commands(gate, **backend, time, time);
  auto group = control_group(config.control);
  if (!group.ok()) {
    spdlog::critical("control socket: {}", group.error().message);
    return 1;
  }
  auto control = drivers::ControlServer::open(
      io, config.control.socket, *group,
      [&commands](const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
        commands.handle(request, peer);
      });
  if (!control.ok()) {
    spdlog::critical("control socket: {}", control.error().message);
    return 1;
  }

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
  if (auto started = drainer.start(); !started.ok()) {
    spdlog::critical("payment queue: {}", started.error().message);
    return 1;
  }
  planner.run();
  carts.start();
  spdlog::info("passgated ready: store {} gate {}, {} lane(s), {}, tracking engine {}, offline policy {}, payment gateway {}, hold {}",
               config.store_id, config.gate_id, config.lanes.size(), describe_backend(config.io),
               config.tracking.base_url,
               config.offline.policy == controller::OfflinePolicy::admit ? "admit" : "deny", payments.gateway_url,
               payments.hold_amount_minor > 0 ? std::to_string(payments.hold_amount_minor) + " " + payments.currency
                                              : std::string("none"));
  io.run();
  spdlog::info("passgated stopped");
  return 0;
}

}  // namespace passgate::daemon
