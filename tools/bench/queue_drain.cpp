// passgate-bench-queue: the payment queue's cost and speed, measured in one run:
//   1. durable enqueue: COUNT PaymentQueue::enqueue calls, each its own SQLite transaction
//      (WAL, synchronous=FULL), in microseconds;
//   2. drain after an outage: COUNT charge operations already queued are forwarded by the
//      real PaymentDrainer through the real GatewayClient to a running gateway simulator
//      (`passgate-sim gateway`), in operations per second, with --in-flight as its
//      max_in_flight (the benchmark's own choice, said in the output; the daemon's default is 4);
//   3. the floor for 2: the same COUNT charge requests sent by the GatewayClient alone, with
//      the same number in flight and no database, i.e. the simulator's own capacity, and the
//      drain's share of it;
//   4. with --paced-rate R: PACED_COUNT more charges drained at max_requests_per_second = R
//      (against a simulator started with a rate limit above R), the rate it held.
// tools/bench/run.sh starts the simulator and runs this.
#include <boost/asio/io_context.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include "common/asio_time.hpp"
#include "common/ids.hpp"
#include "controller/settlement/drainer.hpp"
#include "controller/tracking/messages.hpp"
#include "crypto/payment_sealer.hpp"
#include "crypto/secret_file.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "drivers/gateway_client.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/bench/must.hpp"

namespace {

using namespace passgate;
using bench::must;
using SteadyClock = std::chrono::steady_clock;
constexpr int kDaemonDefaultInFlight = 4;  // [payments] max_in_flight (docs/configuration.md)

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

db::SessionRecord session(const std::string& id, const crypto::SealedValue& pay) {
  db::SessionRecord s;
  s.session_id = id;
  s.token_id = "jti-" + id;
  s.token_expires_at = 4'000'000'000;
  s.lane = 1;
  s.shopper = "shp_bench";
  s.admitted_at = "2026-11-22T00:00:00.000Z";
  s.created_at_ms = 1;
  s.state = db::SessionState::open;
  s.open_request = "{}";
  s.pay_key_id = pay.key_id;
  s.pay_sealed = pay.blob;
  return s;
}

// Counts the transactions committed on the database while it lives (sqlite3_commit_hook).
class CommitCounter {
 public:
  explicit CommitCounter(db::Database& database) : handle_(database.sql().getHandle()) {
    sqlite3_commit_hook(handle_, &CommitCounter::on_commit, this);
  }
  ~CommitCounter() { sqlite3_commit_hook(handle_, nullptr, nullptr); }
  CommitCounter(const CommitCounter&) = delete;
  CommitCounter& operator=(const CommitCounter&) = delete;
  std::int64_t commits = 0;

 private:
  static int on_commit(void* self) {
    ++static_cast<CommitCounter*>(self)->commits;
    return 0;
  }
  sqlite3* handle_;
};

struct Figures {
  std::vector<double> enqueue_us;
  double drain_seconds = 0;
  std::int64_t drain_commits = 0;
  double floor_seconds = 0;
  double paced_seconds = 0;
  std::int64_t paced_retries = 0;
};

// `count` new sessions with a sealed payment reference and one charge each, queued.
std::vector<double> queue_charges(db::SessionStore& sessions, db::PaymentQueue& queue, const crypto::PaymentSealer& sealer,
                                  int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back(new_uuid_v4());
    auto pay = must(crypto::seal_payment_reference(sealer, {"cus_bench", "pm_card_visa"}, ids.back()), "seal");
    must(sessions.begin(session(ids.back(), pay), controller::open_message(ids.back(), "{}")), "session");
  }
  std::vector<double> enqueue_us;
  for (const std::string& id : ids) {
    db::NewPaymentOp op;
    op.session_id = id;
    op.op = "charge";
    op.amount_minor = 100;
    op.currency = "USD";
    const auto start = SteadyClock::now();
    (void)must(queue.enqueue(op, 1), "enqueue");
    enqueue_us.push_back(seconds_since(start) * 1e6);
  }
  return enqueue_us;
}

// Runs a drainer with `settings` until `count` more operations than `before` succeeded; seconds.
double drain(controller::PaymentDrainer& drainer, boost::asio::io_context& io, std::int64_t count) {
  const auto start = SteadyClock::now();
  must(drainer.start(), "start the drainer");
  while (drainer.counters().succeeded < count) {
    io.run_one();
    if (drainer.counters().dead + drainer.counters().declined > 0) throw std::runtime_error("operations failed");
  }
  return seconds_since(start);
}

// The simulator's capacity: `count` charges with `in_flight` requests open at a time.
double send_directly(drivers::GatewayClient& gateway, boost::asio::io_context& io, int count, int in_flight) {
  int sent = 0, answered = 0, failed = 0;
  std::function<void()> next = [&] {
    if (sent == count) return;
    passgate::PaymentRequest r;
    r.op = passgate::PaymentOpKind::charge;
    r.session_id = "floor-" + std::to_string(sent);
    r.idempotency_key = r.session_id + ":charge";
    r.gate_id = "gate-bench";
    r.amount_minor = 100;
    r.currency = "USD";
    r.customer = "cus_bench";
    r.payment_method = "pm_card_visa";
    ++sent;
    gateway.execute(r, std::chrono::seconds(10), [&](passgate::PaymentOutcome o) {
      ++answered;
      if (o.kind != passgate::PaymentOutcomeKind::succeeded) ++failed;
      next();
    });
  };
  const auto start = SteadyClock::now();
  for (int i = 0; i < in_flight; ++i) next();
  io.restart();
  while (answered < count) io.run_one();
  if (failed > 0) throw std::runtime_error(std::to_string(failed) + " direct requests failed");
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-queue: durable enqueue cost and drain rate of the payment queue"};
  std::string url, key_file, db_file, json_file;
  int count = 10000;
  int in_flight = 4;
  int paced_rate = 0;
  int paced_count = 300;
  std::string paced_url;
  app.add_option("--gateway-url", url, "the gateway simulator, http://127.0.0.1:PORT")->required();
  app.add_option("--api-key-file", key_file, "its API key file")->required()->check(CLI::ExistingFile);
  app.add_option("--database", db_file, "a new database file for the run")->required();
  app.add_option("--count", count, "operations")->capture_default_str();
  app.add_option("--in-flight", in_flight, "the drainer's max_in_flight (the daemon's default: 4)")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  app.add_option("--json", json_file, "also write the figures as JSON here");
  app.add_option("--paced-rate", paced_rate, "then drain --paced-count more at this max_requests_per_second (0: skip)")
      ->check(CLI::Range(0, 100));
  app.add_option("--paced-count", paced_count, "operations for the paced drain")->capture_default_str();
  app.add_option("--paced-gateway-url", paced_url, "the simulator for the paced drain (started with --rate-limit)");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::warn);  // no line per payment on the terminal
  try {
    boost::asio::io_context io;
    AsioTime time(io);
    auto database = must(db::Database::open(db_file), "open " + db_file);
    db::SessionStore sessions(*database);
    db::PaymentQueue queue(*database);
    db::GateStatus status(*database);
    auto sealer = must(crypto::PaymentSealer::from_keys({std::string(32, 'b')}), "sealer");
    auto api_key = must(crypto::read_secret_text_file(key_file, "the gateway API key"), "api key");
    auto gateway = must(drivers::GatewayClient::create(io, drivers::GatewayClientOptions{url, api_key, {}}), "gateway client");

    Figures f;
    f.enqueue_us = queue_charges(sessions, queue, sealer, count);

    controller::DrainerSettings settings;
    settings.gate_id = "gate-bench";
    settings.max_in_flight = in_flight;  // unpaced: max_requests_per_second 0
    controller::PaymentDrainer drainer(settings, queue, sessions, sealer, *gateway, status, time, time);
    {
      const CommitCounter commits(*database);
      f.drain_seconds = drain(drainer, io, count);
      f.drain_commits = commits.commits;
    }
    (void)must(drainer.stop(), "stop the drainer");
    f.floor_seconds = send_directly(*gateway, io, count, in_flight);

    if (paced_rate > 0) {
      (void)queue_charges(sessions, queue, sealer, paced_count);
      settings.max_requests_per_second = paced_rate;
      auto limited = must(drivers::GatewayClient::create(io, drivers::GatewayClientOptions{paced_url, api_key, {}}),
                          "paced gateway client");
      controller::PaymentDrainer paced(settings, queue, sessions, sealer, *limited, status, time, time);
      f.paced_seconds = drain(paced, io, paced_count);
      f.paced_retries = paced.counters().retried;
    }

    const double drain_rate = count / f.drain_seconds;
    const double floor_rate = count / f.floor_seconds;
    const auto enqueue = bench::latency_summary(f.enqueue_us);
    std::cout << "durable enqueue (one transaction each, synchronous=FULL): " << bench::describe_latency(enqueue) << "\n"
              << "queue drain, " << count << " queued charges, max_in_flight " << in_flight
              << (in_flight == kDaemonDefaultInFlight ? " (the daemon's default)"
                                                      : " (set by the benchmark; the daemon's default is 4)")
              << ": " << f.drain_seconds << " s, " << drain_rate << " operations/s (retries: " << drainer.counters().retried
              << "; " << f.drain_commits << " commits, " << static_cast<double>(count) / static_cast<double>(f.drain_commits)
              << " operations per commit)\n"
              << "floor: the simulator alone, same requests and concurrency, no database: " << f.floor_seconds << " s, "
              << floor_rate << " requests/s; the drain reached " << 100.0 * drain_rate / floor_rate << " % of it\n";
    const double paced_rate_held = paced_rate > 0 ? (paced_count - 1) / f.paced_seconds : 0;
    if (paced_rate > 0) {
      std::cout << "paced drain, " << paced_count << " charges at max_requests_per_second = " << paced_rate << ": "
                << f.paced_seconds << " s, " << paced_rate_held << " requests/s held ("
                << 100.0 * (paced_rate_held - paced_rate) / paced_rate << " % off the set rate), retries "
                << f.paced_retries << "\n";
    }
    bench::write_json(json_file, {{"count", count},
                                  {"in_flight", in_flight},
                                  {"enqueue", enqueue},
                                  {"drain_seconds", f.drain_seconds},
                                  {"drain_ops_per_s", drain_rate},
                                  {"drain_commits", f.drain_commits},
                                  {"retries", drainer.counters().retried},
                                  {"floor_seconds", f.floor_seconds},
                                  {"floor_requests_per_s", floor_rate},
                                  {"drain_share_of_floor", drain_rate / floor_rate},
                                  {"paced", paced_rate > 0 ? nlohmann::json{{"rate_set", paced_rate},
                                                                            {"count", paced_count},
                                                                            {"seconds", f.paced_seconds},
                                                                            {"rate_held", paced_rate_held},
                                                                            {"retries", f.paced_retries}}
                                                           : nlohmann::json(nullptr)}});
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-queue: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
