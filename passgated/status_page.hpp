// StatusPage: the technician's read-only status page, served by passgated on its own event
// loop ([status_page], docs/status-page.md):
//   GET /                 the page (its files: status_assets.hpp), then /app.js, /style.css
//   GET /status.json      the snapshot (status_snapshot.hpp) once
//   GET /events           server-sent events: the snapshot now, then each time it changes
//   other paths 404; other methods 405 (Allow: GET): nothing here changes the gate.
// Every request passes StatusLogin first (401, with a Basic challenge but for /events and
// /status.json, which the page reads in the background; or 429 with Retry-After:
// too many failed logins, or the hashing budget spent). It watches the
// gate (a GateObserver: scans answered, beams, inputs, scanners, passages, the fire alarm): a
// change is coalesced for kCoalesce and pushed to every viewer, and the whole snapshot is
// rebuilt every kTick while anyone watches, pushed only when it differs; its database part
// (queues, gateway, tracking) is read at most once a kTick, whoever asks. At most kMaxViewers
// event streams, counted from their answer (status_viewers.hpp; more: 503); each viewer's
// unsent events are bounded by the listener (drivers/http_listener.hpp): a slow one is
// dropped, never waited for. Off loopback the listener takes new connections at a bounded
// rate (kAcceptRate), with a budget kept for the addresses that logged in
// (HttpListener::trust, after a password check). reload_users reads the users file again (a
// config reload), closes the event streams of the users it removed or gave another hash (and
// those still opening) and withdraws the trust of their addresses.
// Single-threaded, on the event loop.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "crypto/users_file.hpp"
#include "drivers/http_listener.hpp"
#include "passgated/status_login.hpp"
#include "passgated/status_snapshot.hpp"
#include "passgated/status_viewers.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::daemon {

class StatusPage final : public controller::GateObserver {
 public:
  static constexpr std::size_t kMaxViewers = 8;
  static constexpr Millis kCoalesce{10};
  static constexpr Millis kTick{250};
  // Until a viewer's EventSource tries again after losing the daemon.
  static constexpr Millis kRetry{1000};

  // Listens on config's address and port (TLS when `tls` is set; a login when `users` is set)
  // and watches `gate` (sources.gate) until destroyed. Error "listen_failed".
  [[nodiscard]] static Result<std::unique_ptr<StatusPage>> open(boost::asio::io_context& io,
                                                                const controller::StatusPageConfig& config,
                                                                std::unique_ptr<boost::asio::ssl::context> tls,
                                                                std::optional<crypto::UsersFile> users,
                                                                controller::Gate& gate, SnapshotSources sources,
                                                                const Clock& clock, TimerService& timers);
  ~StatusPage() override;
  StatusPage(const StatusPage&) = delete;
  StatusPage& operator=(const StatusPage&) = delete;

  // New connections off loopback: 20 a second in all, 4 from one address (bursts of 32 and 16),
  // and a reserved 4 a second (16 at once) for the addresses whose password was checked within a
  // day (at most 256, 8 per user; each at most 1 a second of it, 4 at once) once the rest is
  // spent; past 200 refusals in a second, accepting pauses for 100 ms. On loopback there is no
  // accept rate.
  static constexpr drivers::AcceptRate kAcceptRate{};

  [[nodiscard]] std::uint16_t port() const { return listener_->port(); }
  [[nodiscard]] std::size_t viewers() const { return viewers_.open(); }
  // Reads [status_page] users_file again, when the page has one. A good file (one without
  // users too: then nobody gets in) replaces the users: the remembered logins and the event
  // streams of users removed or given another hash end, so that counts at once, and the
  // others' are kept; logged (event=status_page_users_reloaded). Whether the users changed. A
  // bad one is logged (event=status_page_users_not_reloaded) and the users are kept: its error
  // names the file, the line and why, for the reload's answer.
  [[nodiscard]] Result<bool> reload_users();
  // The answer to one request (what the listener calls; tests call it directly).
  [[nodiscard]] drivers::HttpAnswer answer(const drivers::HttpRequest& request);
  // The event that carries `snapshot` to a viewer: "data: <one line of JSON>\n\n".
  [[nodiscard]] static std::string event_of(const nlohmann::json& snapshot);

  // controller::GateObserver
  void on_input_changed(const std::string& line) override;
  void on_scan_read(const std::string& scanner, const std::string& text) override;
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override;
  void on_scan_answered(int lane, const controller::AdmissionResult& answer) override;
  void on_beams(int lane, bool outer_blocked, bool inner_blocked) override;
  void on_passage(int lane, controller::Direction direction, controller::PassageKind kind) override;
  void on_fire_alarm(bool active) override;

 private:
  StatusPage(const controller::StatusPageConfig& config, std::unique_ptr<boost::asio::ssl::context> tls,
             std::optional<crypto::UsersFile> users, controller::Gate& gate, SnapshotSources sources,
             const Clock& clock, TimerService& timers);

  // A change seen: pushed after kCoalesce (with whatever else changed meanwhile).
  void changed();
  // The snapshot now; its database part read again when `refresh` and at least kTick old.
  [[nodiscard]] nlohmann::json current(bool refresh);
  // Sends the snapshot to every viewer if it differs from the last one sent.
  void push(bool refresh);
  void tick();
  void add_viewer(std::shared_ptr<drivers::EventStream> stream, const StatusViewers::Slot& slot);
  // /events for `user`'s login.
  [[nodiscard]] drivers::HttpAnswer events(const std::string& user);

  controller::StatusPageConfig config_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  StatusLogin login_;
  controller::Gate& gate_;
  SnapshotSources sources_;
  const Clock& clock_;
  TimerService& timers_;
  WallTime started_at_;
  SteadyTime started_steady_;
  RecentScans scans_;
  std::optional<nlohmann::json> database_part_;
  SteadyTime database_read_at_{};
  std::string last_sent_;
  std::optional<WallTime> first_change_;
  StatusViewers viewers_{kMaxViewers};
  std::unique_ptr<Timer> coalesce_;
  std::unique_ptr<Timer> tick_;
  std::unique_ptr<drivers::HttpListener> listener_;  // last: closed first
};

}  // namespace passgate::daemon
