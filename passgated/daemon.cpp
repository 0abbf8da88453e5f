#include "passgated/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <spdlog/spdlog.h>

#include "common/asio_time.hpp"
#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/admission/service.hpp"
#include "controller/admission/interrupted_sessions.hpp"
#include "controller/config/reload.hpp"
#include "controller/settlement/gateway_account_guard.hpp"
#include "controller/lanes/gate.hpp"
#include "controller/admission/key_ring.hpp"
#include "controller/metrics/daemon.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/settlement/sealing_keys_in_use.hpp"
#include "controller/settlement/settlement.hpp"
#include "controller/storage/retention_sweeper.hpp"
#include "controller/admission/token_purge.hpp"
#include "controller/store/store_link.hpp"
#include "controller/card_entry/card_lanes.hpp"
#include "controller/tracking/reports.hpp"
#include "controller/tracking/watched_tracking.hpp"
#include "passgated/control_commands.hpp"
#include "passgated/daemon_reload.hpp"
#include "passgated/graceful_stop.hpp"
#include "controller/config/system_group.hpp"
#include "passgated/startup_signals.hpp"
#include "passgated/status_page.hpp"
#include "common/version.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "drivers/control_server.hpp"
#include "passgated/gate_files.hpp"
#include "drivers/gateway_client.hpp"
#include "drivers/hardware_backend.hpp"
#include "drivers/etcd_client.hpp"
#include "drivers/metrics_server.hpp"
#include "drivers/rig_link.hpp"
#include "drivers/scanner_factory.hpp"
#include "drivers/systemd_notifier.hpp"
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
// The id of a [control] group setting (`key`); none when it is empty.
Result<std::optional<gid_t>> control_group(const std::string& name, const char* key) {
  if (name.empty()) return std::optional<gid_t>();
  const auto gid = controller::find_group(name);
  if (!gid) {
    return make_error("bad_config", std::string("[control] ") + key + " \"" + name + "\" does not exist on this machine");
  }
  return gid;
}

// The last reload, for systemd's STATUS line.
std::string reload_summary(const controller::ReloadReport& report) {
  const std::string refused_files =
      report.not_applied.empty() ? "" : ", " + std::to_string(report.not_applied.size()) + " file(s) refused";
  if (!report.reloaded) {
    // The status page's users file is reloaded whatever the config: say what became of it.
    const std::string applied_files =
        report.applied.empty() ? "" : ", " + std::to_string(report.applied.size()) + " file(s) applied all the same";
    return "last reload refused: " + std::to_string(report.problems.size()) + " problem(s)" + applied_files +
           refused_files;
  }
  return "last reload: " + std::to_string(report.applied.size()) + " setting(s) applied, " +
         std::to_string(report.needs_restart.size()) + " waiting for a restart" + refused_files;
}

}  // namespace

int run_daemon(const controller::GateConfig& config) {
  boost::asio::io_context io;
  AsioTime time(io);
  // First, so the watchdog pings start with the loop (start-up itself must stay shorter
  // than WatchdogSec).
  drivers::SystemdNotifier notifier(time);

  // The files and services the config names, first: a problem with any of them is a config
  // problem (exit 78, no restart), reported in full before anything is opened.
  auto files = drivers::open_gate_files(io, config, time);
  if (!files.value) {
    for (const auto& p : files.problems) spdlog::critical("event=startup_failed what=config detail={}", log_value(p));
    return kExitBadConfig;
  }
  drivers::GatewayClient& gateway = *files.value->services.gateway;
  drivers::TrackingClient& tracking = *files.value->services.tracking;
  crypto::PaymentSealer& sealer = files.value->keys.sealer;
  controller::KeyRing keys(config.keyset);
  keys.install(std::move(files.value->keys.issuer_keys));

  auto database = db::Database::open(config.database);
  if (!database.ok()) {
    spdlog::critical("event=startup_failed what=database path={} detail={}", log_value(config.database.string()),
                     log_value(database.error().message));
    return kExitBadConfig;
  }
  db::SessionStore sessions(**database);
  db::Outbox outbox(**database);
  // Keys that cannot open a payment reference still in use are a config problem: the
  // sessions sealed with a dropped key could never be charged.
  if (Status opens = controller::check_sealing_keys(sessions, sealer); !opens) {
    spdlog::critical("event=startup_failed what=config detail={}", log_value(opens.error().message));
    return opens.error().code == "seal_key_needed" ? kExitBadConfig : kExitFailed;
  }

  const controller::PaymentsConfig& payments = config.payments;
  auto backend = open_backend(io, time, config);
  if (!backend.ok()) {
    spdlog::critical("event=startup_failed what=io_backend detail={}", log_value(backend.error().message));
    return kExitFailed;
  }

  // Operations begun with one gateway account are never sent to another: a start that
  // points at another account while such operations are outstanding is a config problem.
  {
    db::GateStatus account_status(**database);
    db::PaymentQueue begun(**database);
    auto account = gateway.account_id();
    if (!account) {
      spdlog::critical("event=startup_failed what=gateway_account detail={}", log_value(account.error().message));
      return kExitFailed;
    }
    if (Status same = controller::check_gateway_account(account_status, begun, *account); !same) {
      spdlog::critical("event=startup_failed what=config detail={}", log_value(same.error().message));
      return same.error().code == "gateway_account_changed" ? kExitBadConfig : kExitFailed;
    }
    if (auto kept = controller::record_gateway_account(account_status, *account, unix_millis(time.wall_now())); !kept) {
      spdlog::critical("event=startup_failed what=database detail={}", log_value(kept.error().message));
      return kExitFailed;
    }
  }

  controller::WatchedTracking watched_tracking(tracking, time);  // its reachability, for passgatectl status
  controller::OutboxSender sender(outbox, watched_tracking, time, time, config.tracking.request_timeout);
  const controller::GateIdentity identity{config.store_id, config.gate_id};
  controller::TrackingReports reports(identity, outbox, sessions, time, sender);
  db::PaymentQueue queue(**database);
  db::SettlementStore settlements(**database);
  db::GateStatus gate_status(**database);
  controller::Settlement settlement(controller::settlement_settings(config),
                                    controller::SettlementStores{sessions, queue, settlements, gate_status}, sealer,
                                    gateway, watched_tracking, time, time);
  reports.set_on_session_ended([&settlement] { settlement.session_may_be_final(); });
  sender.set_on_open_refused([&settlement](std::int64_t message_id, const std::string& session_id) {
    return settlement.close_refused_open(message_id, session_id);
  });
  controller::AdmissionService admission(controller::admission_settings(config), keys, sealer, sessions,
                                         watched_tracking, sender, &settlement.entry_hold(), time, time);
  admission.set_on_session_ended([&settlement] { settlement.session_may_be_final(); });
  // (Only while the loop runs: the loop has stopped before admission goes.)
  settlement.hold_back_entries_of([&admission](const std::string& id) { return admission.denial_unrecorded(id); });
  // A cancel or a start-up close the database refuses is written again with the denials, its
  // hold held back meanwhile.
  const controller::WriteLater write_later = [&admission](const std::string& id, std::string what,
                                                          std::function<Status()> write) {
    admission.write_later(id, std::move(what), std::move(write));
  };
  reports.set_write_later(write_later);
  // Whether the gate coordinates with its store ([store]), before the sessions a crash left
  // opening are closed: their shoppers' releases are owed then (db/store_claims_pending.hpp).
  if (Status recorded = db::StoreClaimsPending(**database).set_coordinated(config.store.enabled,
                                                                          unix_millis(time.wall_now()));
      !recorded.ok()) {
    spdlog::critical("event=startup_failed what=database detail={}", log_value(recorded.error().message));
    return kExitFailed;
  }
  // The store's etcd cluster ([store], docs/store-coordination.md); none without the section.
  std::unique_ptr<drivers::EtcdClient> etcd;
  std::unique_ptr<controller::StoreLink> store;
  if (config.store.enabled) {
    auto instance_id = db::StoreClaimsPending(**database).instance_id();
    if (!instance_id.ok()) {
      spdlog::critical("event=startup_failed what=database detail={}", log_value(instance_id.error().message));
      return kExitFailed;
    }
    auto client = drivers::EtcdClient::create(
        io, {config.store.endpoints, {config.store.ca_file, config.store.cert_file, config.store.key_file}});
    if (!client.ok()) {
      spdlog::critical("event=startup_failed what=config detail={}", log_value("[store]: " + client.error().message));
      return kExitBadConfig;
    }
    etcd = std::move(*client);
    store = std::make_unique<controller::StoreLink>(*etcd, config, std::move(*instance_id), **database, admission,
                                                    time, time);
  }
  if (auto recovered = controller::recover_interrupted_sessions(sessions, time, write_later); !recovered.ok()) {
    spdlog::critical("event=startup_failed what=session_recovery detail={} hint={}",
                     log_value(recovered.error().message),
                     log_value("the sessions a restart interrupted must be closed before any entry hold is sent; "
                               "systemd starts passgated again"));
    return kExitFailed;
  }
  if (store) store->start();  // what earlier runs owed the store, and the claims from now on
  controller::TokenPurge purge(sessions, time, time);
  // Final records older than [database] retention_days go, in small batches, hourly.
  controller::RetentionSweeper retention(**database, sessions, time, time, config.retention);
  retention.yield_while([&admission] { return admission.admitting_within(Millis{100}); });
  controller::Gate gate(config, **backend, time, time, admission, reports);
  // Card-tap entry on the lanes with a reader (started with the gate, below).
  db::CardAttemptStore card_attempts(**database);
  db::CardBlocklist card_blocklist(**database);
  auto cards = controller::CardLanes::create(
      config,
      controller::CardLaneParts{files.value->services.terminal.get(), card_attempts, card_blocklist, sealer, time, time},
      gate);
  if (!cards.ok()) {
    spdlog::critical("event=startup_failed what=card_entry detail={}", log_value(cards.error().message));
    return kExitFailed;
  }
  DaemonReload live_settings(
      ReloadTargets{keys, sealer, gateway, admission, settlement, sender, gate, retention, **cards});
  controller::ConfigReloader reloader(config, live_settings);
  // What `systemctl status` shows while the gate runs.
  const std::string ready_status = "ready: store " + config.store_id + " gate " + config.gate_id + ", " +
                                   std::to_string(config.lanes.size()) + " lane(s), " + describe_backend(config.io);
  // The technician's status page, opened below; declared here for the reload.
  std::unique_ptr<StatusPage> status_page;
  // The config reload, shared by SIGHUP and `passgatectl reload`: re-reads config.source,
  // applies what can change while the gate runs and names what needs a restart; and re-reads
  // the status page's users file (a bad one is logged, named in the answer, and the users kept).
  const ReloadConfig reload_config = [&reloader, &notifier, &ready_status, &status_page] {
    controller::ReloadReport report = reloader.reload();
    if (status_page) {
      const Result<bool> users = status_page->reload_users();
      if (!users) {
        report.not_applied.push_back(users.error().message);
      } else if (*users) {
        report.applied.emplace_back("status_page.users_file (its users)");
      }
    }
    notifier.status(ready_status + "; " + reload_summary(report));
    return report;
  };
  const ControlSources control_sources{reloader.in_force(), **database, watched_tracking, sealer,
                                       [&settlement] { settlement.queue_changed(); },
                                       [&sender] { sender.kick(); }, settlement.clock_watch(), admission,
                                       reports, [&settlement] { return settlement.card_lapse_warning(); },
                                       store.get()};
  ControlCommands commands(gate, **backend, time, time, control_sources, reload_config);
  // The operators' control socket, and the read-only one when [control] readonly_group is set
  // (status, lanes, sessions and queue only, for those who may look but not act).
  using Handler = void (ControlCommands::*)(const nlohmann::json&, const std::shared_ptr<drivers::ControlPeer>&);
  const auto open_control = [&](const std::filesystem::path& socket, const std::string& group_name, const char* key,
                                Handler handler) -> Result<std::unique_ptr<drivers::ControlServer>> {
    auto group = control_group(group_name, key);
    if (!group.ok()) return group.error();
    return drivers::ControlServer::open(
        io, socket, *group, config.control.request_timeout,
        [&commands, handler](const nlohmann::json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
          (commands.*handler)(request, peer);
        });
  };
  auto control = open_control(config.control.socket, config.control.group, "group", &ControlCommands::handle);
  if (!control.ok()) {
    spdlog::critical("event=startup_failed what=control_socket detail={}", log_value(control.error().message));
    return kExitBadConfig;
  }
  std::unique_ptr<drivers::ControlServer> readonly_control;
  if (!config.control.readonly_group.empty()) {
    auto opened = open_control(config.control.readonly_socket, config.control.readonly_group, "readonly_group",
                               &ControlCommands::handle_read_only);
    if (!opened.ok()) {
      spdlog::critical("event=startup_failed what=readonly_control_socket detail={}",
                       log_value(opened.error().message));
      return kExitBadConfig;
    }
    readonly_control = std::move(*opened);
  }
  // Prometheus metrics and /healthz on loopback ([metrics], docs/metrics.md). The gate runs
  // without them if the port cannot be had: the monitoring sees it missing.
  controller::DaemonMetrics metrics(
      controller::MetricsSources{gate, queue, settlement.drainer(), gate_status, outbox, sessions, sender, watched_tracking,
                                 reloader.in_force().tracking, time, retention, **database, admission,
                                 [&settlement] { return settlement.card_lapse_warning(); }, store.get()});
  std::unique_ptr<drivers::MetricsServer> metrics_server;
  if (config.metrics.enabled) {
    auto opened = drivers::MetricsServer::open(io, config.metrics.address, config.metrics.port,
                                               {[&metrics] { return metrics.page(); },
                                                [&metrics] { return metrics.problem(); }});
    if (opened.ok()) {
      metrics_server = std::move(*opened);
    } else {
      spdlog::error("event=metrics_unavailable detail={}", log_value(opened.error().message));
    }
  }

  // The technician's status page ([status_page], docs/status-page.md): on loopback, or with
  // TLS and a login. Like the metrics, the gate runs without it if the port cannot be had.
  if (config.status_page.enabled) {
    auto opened = StatusPage::open(
        io, config.status_page, std::move(files.value->status_page.tls), std::move(files.value->status_page.users),
        gate,
        SnapshotSources{gate, **backend, control_sources, [&metrics] { return metrics.problem(); },
                        version_line("passgated")},
        time, time);
    if (opened.ok()) {
      status_page = std::move(*opened);
    } else {
      spdlog::error("event=status_page_unavailable detail={}", log_value(opened.error().message));
    }
  }

  // SIGTERM/SIGINT: finish the passages under way, persist, stop (graceful_stop.hpp).
  GracefulStop graceful_stop(gate, **cards, settlement, admission, notifier, time, time, [&io] { io.stop(); });
  boost::asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  std::function<void()> wait_stop = [&] {
    stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      graceful_stop.on_signal(sig);
      wait_stop();
    });
  };
  wait_stop();
  // SIGHUP: the config reload (it logs what it did).
  boost::asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      spdlog::info("event=reload_requested signal=SIGHUP");
      (void)reload_config();
      wait_reload();
    });
  };
  wait_reload();
  // Handled from here on: a stop or reload signal that came during start-up (held since the
  // start of main) is delivered now and acted on once the loop runs.
  if (auto released = release_daemon_signals(); !released.ok()) {
    spdlog::error("event=signals_not_released detail={}", log_value(released.error().message));
  }

  sender.kick();
  // Card sessions (card_entry) are settled from their attempts, whether or not a lane has a
  // reader now: one configured before may have left sessions to settle.
  controller::CardPlannerSettings card_planning;
  card_planning.lapse_warning = config.terminal.capture_margin;  // [terminal] capture_margin_s
  settlement.settle_card_sessions(**database, card_planning);
  if (auto started = settlement.start(); !started.ok()) {
    spdlog::critical("event=startup_failed what=payment_queue detail={}", log_value(started.error().message));
    return kExitFailed;
  }
  spdlog::info("event=ready store={} gate={} lanes={} io={} tracking={} offline_policy={} gateway={} hold={} "
               "card_readers={} watchdog_ms={}",
               log_value(config.store_id), log_value(config.gate_id), config.lanes.size(),
               log_value(describe_backend(config.io)), log_value(config.tracking.base_url),
               config.offline.policy == controller::OfflinePolicy::admit ? "admit" : "deny",
               log_value(payments.gateway_url),
               log_value(payments.hold_amount_minor > 0
                             ? std::to_string(payments.hold_amount_minor) + " " + payments.currency
                             : std::string("none")),
               (*cards)->size(), notifier.ping_interval() ? notifier.ping_interval()->count() * 2 : 0);
  (*cards)->start();
  notifier.ready(ready_status);
  io.run();
  // Held again for the teardown: once the signal sets are gone a SIGTERM's default action
  // would kill the gate before the backend drives its outputs to their safe levels.
  if (auto held = hold_daemon_signals(); !held.ok()) {
    spdlog::error("event=signals_not_held detail={}", log_value(held.error().message));
  }
  spdlog::info("event=stopped exit_status=0");
  return kExitStopped;
}

}  // namespace passgate::daemon
