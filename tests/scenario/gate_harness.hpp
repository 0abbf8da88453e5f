// GateHarness: one simulated store for a scenario test. It owns a temp dir with an issuer
// key pair and its JWK Set, the gateway API key and the payment sealing key, runs the real
// tracking-engine and payment-gateway simulators (`passgate-sim tracking|gateway`, ports
// chosen by the system) and the real `passgated` as child processes, writes the gate's
// config (lanes 1 and 2 entry, lane 3 exit, sim rig socket in the temp dir), and talks to
// the simulators' control ports in-process. Waiting is done by running the
// harness's io_context until a condition holds (bounded), never by sleeping. With
// GateOptions::faked_clock_offset, passgated runs on a stepped wall clock (FakedClock).
// Test code: setup failures are Catch2 REQUIRE failures. Single-threaded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/asio_time.hpp"
#include "db/payment_queue.hpp"
#include "drivers/http_client.hpp"
#include "hw/line_names.hpp"
#include "tests/scenario/faked_clock.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::scenario {

using namespace std::chrono_literals;

inline constexpr int kEntryLanes[] = {1, 2};
inline constexpr int kExitLane = 3;
inline constexpr int kAllLanes[] = {1, 2, 3};
// Lane 1's barrier release line (entry direction), the one most scenarios watch.
inline const std::string kRelease1 = hw::line_name(1, hw::LineRole::release_in);
inline constexpr std::chrono::milliseconds kDebounce{5};
// Generous bounds for what the programs do (they may run under sanitizers, in parallel).
inline constexpr std::chrono::milliseconds kStartLimit = 30s;
inline constexpr std::chrono::milliseconds kReactLimit = 10s;

struct GateOptions {
  std::string offline_policy = "deny";  // "deny" or "admit"
  bool start_gate = true;               // false: only the simulator and the files
  std::int64_t hold_amount_minor = 0;   // pre-authorization at entry (0: none)
  std::string log_level = "info";       // [logging] level
  // Set: passgated runs under a FakedClock (libfaketime) whose wall clock starts this far
  // ahead of true time; the test steps it with faked_clock(). Unset: the real clock.
  std::optional<std::chrono::seconds> faked_clock_offset{};
  // Set: lane 1's card reader (terminal_reader), which the gateway simulator then runs, with
  // [terminal] polls of 250 ms. Empty: no card entry.
  std::string card_reader{};
  // The [status_page] table's keys; empty: the page on any free loopback port.
  std::string status_page{};
  // Another gate array of the same store: its gate_id, the JWK Set it trusts (another
  // harness's jwks_file(), so that harness's mint() signs for both; empty: its own), and its
  // [store] section's keys (empty: none).
  std::string gate_id = "gate-scenario";
  std::filesystem::path keyset{};
  std::string store_section{};
};

class GateHarness {
 public:
  explicit GateHarness(GateOptions options = {});
  ~GateHarness();
  GateHarness(const GateHarness&) = delete;
  GateHarness& operator=(const GateHarness&) = delete;

  // The config file's text for this store (what config_file() holds).
  [[nodiscard]] std::string config_text() const;
  [[nodiscard]] const std::filesystem::path& config_file() const { return config_file_; }
  [[nodiscard]] const std::filesystem::path& jwks_file() const { return jwks_file_; }
  [[nodiscard]] std::filesystem::path rig_socket() const { return dir_ / "rig.sock"; }
  [[nodiscard]] std::filesystem::path control_socket() const { return dir_ / "control.sock"; }
  [[nodiscard]] const test::TempDir& dir() const { return dir_; }

  // Points the gate's [tracking] base_url at `port` on the loopback (a hostile peer the test
  // runs on io()) instead of the tracking simulator, rewriting config_file(); before start_gate().
  void use_tracking_port(std::uint16_t port);
  // Starts passgated on config_file() and waits for its "event=ready" line.
  void start_gate();
  // SIGTERM, then waits for it to exit 0.
  void stop_gate();
  // SIGKILL (a crash or power loss), then waits for it to be gone.
  void kill_gate();
  [[nodiscard]] bool gate_running() const { return gated_ != nullptr; }
  [[nodiscard]] std::filesystem::path database_file() const { return dir_ / "passgate.db"; }
  // The gate's payment queue totals, read from its database file.
  [[nodiscard]] db::QueueTotals queue_totals() const;
  [[nodiscard]] test::ChildProcess& gated() { return *gated_; }
  // passgated's stepped wall clock (GateOptions::faked_clock_offset); it stays set across
  // restarts, so a gate started again boots on the clock as last stepped.
  [[nodiscard]] FakedClock& faked_clock();

  // The key the gate trusts from the start (kid "key-a").
  [[nodiscard]] const sim::IssuerKey& issuer_key() const { return key_; }
  // What mint() signs for `shopper` (group 1, minted now), to change before sim::mint_token.
  [[nodiscard]] sim::TokenSpec spec_for(const std::string& shopper) const;
  // A fresh flawless (or deliberately flawed) token for `shopper`, group 1, minted now.
  [[nodiscard]] std::string mint(const std::string& shopper, sim::TokenFlaw flaw = sim::TokenFlaw::none) const;
  // The same, paying with the test payment method `payment_method` (docs/interfaces/payment-gateway.md#test-payment-methods).
  [[nodiscard]] std::string mint_paying(const std::string& shopper, const std::string& payment_method) const;
  [[nodiscard]] std::string mint_with(const sim::IssuerKey& key, const std::string& shopper,
                                      sim::TokenFlaw flaw = sim::TokenFlaw::none) const;

  // The tracking simulator's control port: fault "none|unreachable|slow|error5xx" (slow:
  // every answer `delay` late, the request handled at once), and GET /control/state as JSON.
  void set_tracking_fault(const std::string& mode, std::chrono::milliseconds delay = 0ms);
  [[nodiscard]] nlohmann::json tracking_state();
  // Re-reads the simulator's state (poll_until) until `holds` it; false after `limit`.
  [[nodiscard]] bool wait_for_tracking(const std::function<bool(const nlohmann::json&)>& holds,
                                       std::chrono::milliseconds limit);
  // The tracking simulator's cameras: finalizes `session_id`'s cart with one item.
  void finalize_cart(const std::string& session_id, std::int64_t total_minor);
  // Finalizes the session's cart as a hostile engine would publish it: `currency` as given
  // and `total_minor` (any JSON value) instead of the items' sum.
  void finalize_hostile_cart(const std::string& session_id, const std::string& currency,
                             const nlohmann::json& total_minor);
  // The gateway simulator's control port: fault "none|unreachable|slow|error5xx|rate_limit|
  // drop_response" with optional settings (delay_ms, retry_after_s, count), and its ledger.
  void set_gateway_fault(const std::string& mode, const nlohmann::json& settings = nlohmann::json::object());
  [[nodiscard]] nlohmann::json gateway_ledger();
  // The gateway simulator's reader `reader`: a shopper taps test card `card` (the control
  // port's tap, the simulator's own test helper); its HTTP status (200: the card was read;
  // 400: the reader collects nothing now).
  int tap_card(const std::string& reader, const std::string& card = "4242424242424242");
  // Switches a simulator-only reader fault (offline, online, none, ...; docs/card-tap-simulator.md).
  void set_reader_fault(const std::string& reader, const std::string& fault);
  // The gateway simulator's process (e.g. to kill it and start it again on the same port).
  void restart_gateway();

  // `passgatectl lanes --json --config FILE`, parsed: the lane `lane`'s object.
  [[nodiscard]] nlohmann::json gate_lane(int lane);
  // `passgatectl sessions --config FILE --all --limit 0 --json`, parsed: every session of the
  // running gate under "sessions" (session_id, lane, state, ended, offline, ...).
  [[nodiscard]] nlohmann::json gate_sessions();
  // `passgatectl ARGS... --config FILE`, run to its end: its exit status and what it printed.
  struct CtlResult {
    int status = 0;
    std::string output;
  };
  [[nodiscard]] CtlResult ctl(std::vector<std::string> args);

  // The loop the in-process rig and control requests run on.
  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] AsioTime& time() { return time_; }
  // Runs the loop until `done()`; false if `limit` passed first.
  [[nodiscard]] bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = kReactLimit);
  // Runs the loop for `duration` of real time (a timer on the loop, not a sleep).
  void run_for(std::chrono::milliseconds duration);
  // For conditions no loop event signals (a child's output): checks `holds()` every 50 ms
  // of loop time; false after `limit`.
  [[nodiscard]] bool poll_until(const std::function<bool()>& holds, std::chrono::milliseconds limit = kReactLimit);

 private:
  void start_tracking();
  void start_gateway();
  [[nodiscard]] passgate::HttpReply control(drivers::HttpClient& client, drivers::HttpMethod method,
                                              const std::string& target, std::string body);

  GateOptions options_;
  test::TempDir dir_;
  boost::asio::io_context io_;
  AsioTime time_{io_};
  sim::IssuerKey key_;
  std::filesystem::path jwks_file_;
  std::filesystem::path config_file_;
  std::unique_ptr<test::ChildProcess> tracking_;
  std::uint16_t api_port_ = 0;
  std::optional<std::uint16_t> tracking_port_;  // use_tracking_port()
  std::uint16_t control_port_ = 0;
  std::unique_ptr<drivers::HttpClient> control_client_;
  std::unique_ptr<test::ChildProcess> gateway_;
  std::uint16_t gateway_port_ = 0;
  std::uint16_t gateway_control_port_ = 0;
  std::unique_ptr<drivers::HttpClient> gateway_control_;
  std::unique_ptr<test::ChildProcess> gated_;
  std::unique_ptr<FakedClock> faked_clock_;
};

// The JSON object in `list` (an array) whose `key` equals `value`; null if none.
[[nodiscard]] nlohmann::json find_by(const nlohmann::json& list, const std::string& key, const std::string& value);

}  // namespace passgate::scenario
