// passgate-bench-admission: the floor under scan-to-release latency, measured alone in one
// process: the work no admission can skip, with the gate's own code and nothing around it.
// Per scan: verify the entry token (crypto::verify_entry_token against the issuer's KeySet),
// seal its payment reference, and commit the session row with its token id
// (db::SessionStore::begin: one SQLite transaction, WAL, synchronous=FULL), i.e. the commit
// admission makes before any barrier is released. With --etcd-endpoint (a gate with [store]),
// also the store-wide claim of the token admission makes before the release: one
// coordination::StoreCoordinator::claim_token over drivers::EtcdClient, as passgated makes it
// (a lease per 15-minute bucket, granted once and reused), waited for. Tokens are minted outside
// the timing. The database goes where the daemon's goes in the same run (same file system).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/asio_time.hpp"
#include "common/ids.hpp"
#include "common/time_format.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "controller/tracking/messages.hpp"
#include "crypto/key_set.hpp"
#include "crypto/payment_sealer.hpp"
#include "crypto/token_verifier.hpp"
#include "db/database.hpp"
#include "db/session_store.hpp"
#include "drivers/etcd_client.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/bench/must.hpp"
#include "tools/sim/token/minter.hpp"

namespace {

using namespace passgate;
using bench::must;

// The store-wide claim of a token, on its own loop, waited for.
class StoreClaim {
 public:
  StoreClaim(drivers::EtcdClientOptions options, const std::string& store_id)
      : time_(io_),
        client_(must(drivers::EtcdClient::create(io_, std::move(options)), "etcd client")),
        coordinator_(*client_, time_, time_, settings(store_id)) {}

  void claim(const std::string& token_id, const std::string& session_id, WallTime token_exp) {
    std::optional<coordination::Outcome> outcome;
    coordinator_.claim_token(token_id, session_id, token_exp, [&outcome](coordination::Outcome o) { outcome = o; });
    io_.restart();
    while (!outcome) {
      if (io_.run_one() == 0) throw std::runtime_error("the claim's loop ran out of work without an answer");
    }
    if (outcome->verdict != coordination::Verdict::confirmed) {
      throw std::runtime_error(std::string("claim ") + coordination::verdict_name(outcome->verdict) + ": " +
                               outcome->reason);
    }
  }

 private:
  static coordination::CoordinationSettings settings(const std::string& store_id) {
    coordination::CoordinationSettings s;
    s.store_id = store_id;
    s.gate_id = "gate-bench-floor";
    s.timeout = std::chrono::milliseconds(5000);  // the floor times the claim, never its fallback
    return s;
  }

  boost::asio::io_context io_;
  AsioTime time_;
  std::unique_ptr<drivers::EtcdClient> client_;
  coordination::StoreCoordinator coordinator_;
};

// One admission's unavoidable work; returns its duration in microseconds.
double admit_once(const std::string& token, const crypto::KeySet& keys, const crypto::VerifyPolicy& policy,
                  const crypto::PaymentSealer& sealer, db::SessionStore& sessions, StoreClaim* store) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto now = std::chrono::system_clock::now();
  auto verified = crypto::verify_entry_token(token, keys, policy, unix_seconds(now));
  const auto* claims = std::get_if<crypto::EntryClaims>(&verified);
  if (claims == nullptr) throw std::runtime_error("token denied: " + std::get<crypto::Denial>(verified).detail);
  db::SessionRecord record;
  record.session_id = new_uuid_v4();
  record.token_id = claims->token_id;
  record.token_expires_at = claims->expires_at + policy.clock_skew.count();
  record.lane = 1;
  record.shopper = claims->subject;
  record.group_size = claims->group;
  record.admitted_at = format_rfc3339_ms(now);
  record.created_at_ms = unix_millis(now);
  record.open_request = controller::session_open_body(
      {policy.audience, "gate-bench"},
      {record.session_id, 1, claims->subject, claims->token_id, claims->group, record.admitted_at});
  auto sealed = must(crypto::seal_payment_reference(sealer, claims->pay, record.session_id), "seal");
  record.pay_key_id = std::move(sealed.key_id);
  record.pay_sealed = std::move(sealed.blob);
  must(sessions.begin(record, controller::open_message(record.session_id, record.open_request)), "commit the session");
  if (store != nullptr) store->claim(claims->token_id, record.session_id, WallTime{std::chrono::seconds(claims->expires_at)});
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-admission: token verification plus the durable session commit (and the store-wide "
               "claim), alone"};
  std::string db_file, json_file;
  int count = 5000;
  drivers::EtcdClientOptions etcd;
  app.add_option("--database", db_file, "a new database file (on the daemon's file system)")->required();
  app.add_option("--etcd-endpoint", etcd.endpoints, "also claim each token in this etcd cluster (repeat per member)");
  app.add_option("--etcd-ca", etcd.tls.ca_bundle, "the store CA (with --etcd-endpoint)");
  app.add_option("--etcd-cert", etcd.tls.client_cert, "this client's certificate (with --etcd-endpoint)");
  app.add_option("--etcd-key", etcd.tls.client_key, "its key (with --etcd-endpoint)");
  app.add_option("--count", count, "admissions to time")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--json", json_file, "also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);

  try {
    const crypto::VerifyPolicy policy{"https://app.example-retail.com", "store-bench", std::chrono::seconds(5),
                                      std::chrono::seconds(90)};
    auto key = must(sim::IssuerKey::generate(sim::IssuerAlg::es256, "bench"), "issuer key");
    auto keys = must(crypto::KeySet::parse(sim::make_jwks({&key})), "key set");
    auto sealer = must(crypto::PaymentSealer::from_keys({std::string(32, 'b')}), "sealer");
    auto database = must(db::Database::open(db_file), "open " + db_file);
    db::SessionStore sessions(*database);
    std::unique_ptr<StoreClaim> store;
    if (!etcd.endpoints.empty()) store = std::make_unique<StoreClaim>(etcd, policy.audience);

    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      sim::TokenSpec spec;
      spec.issuer = policy.issuer;
      spec.audience = policy.audience;
      spec.subject = "shp_bench_" + std::to_string(i);
      spec.now = unix_seconds(std::chrono::system_clock::now());
      micros.push_back(admit_once(sim::mint_token(key, spec), *keys, policy, sealer, sessions, store.get()));
    }
    const auto summary = bench::latency_summary(micros);
    std::cout << "verify + seal + commit" << (store ? " + claim" : "") << ": " << bench::describe_latency(summary)
              << '\n';
    bench::write_json(json_file, summary);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-admission: " << e.what() << '\n';
    return 1;
  }
}
