// passgate-bench-retention: what retention (db/retention.hpp, db/file_space.hpp) costs the
// event loop, on a new database holding COUNT final sessions past their retention (each with a
// cart, a settlement and a succeeded charge, written in bulk) and KEEP younger ones:
//   1. each batch of a sweep (Retention::delete_sessions, at most 50 sessions, one transaction,
//      WAL, synchronous=FULL), in microseconds: the longest a scan can wait behind the sweep;
//   2. each step handing free pages back (reclaim_free_pages, 256 pages), the same;
//   3. the floor: one durable commit on the scan path (SessionStore::begin, COMMITS of them);
//   4. the whole sweep's time, and the database file before and after (checkpointed).
// Not run by tools/bench/run.sh; built with the other benchmark programs:
//   scripts/build-release.sh build/release passgate-bench-retention
//   build/release/tools/passgate-bench-retention --database /tmp/r.db --count 100000
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/database.hpp"
#include "db/file_space.hpp"
#include "db/retention.hpp"
#include "db/session_store.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/bench/must.hpp"

namespace {

using namespace passgate;
using bench::must;
using SteadyClock = std::chrono::steady_clock;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kNowMs = 1'795'000'000'000;  // November 2026

double micros_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count();
}

// `count` sessions settled and charged, the first admitted at `first_ms`, one a second after
// it; written in one transaction (the set-up, not measured).
void add_settled_sessions(db::Database& db, const std::string& prefix, int count, std::int64_t first_ms) {
  SQLite::Transaction transaction(db.sql());
  SQLite::Statement session(db.sql(),
                            "INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size,"
                            " admitted_at, created_at_ms, offline, state, open_request, pay_key_id, pay_sealed)"
                            " VALUES (?1, 'jti-' || ?1, ?2 / 1000 + 120, 1, 'shp_bench', 1,"
                            " '2026-11-22T00:00:00.000Z', ?2, 0, 'open', ?3, 'k1', randomblob(120))");
  SQLite::Statement cart(db.sql(), "INSERT INTO carts VALUES (?1, 'USD', 1234, '2026-11-22T00:40:00.000Z', ?2)");
  SQLite::Statement settlement(db.sql(), "INSERT INTO settlements VALUES (?1, 'cart', 1234, 0, 'charge', ?2)");
  SQLite::Statement charge(db.sql(),
                           "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, intent_id,"
                           " state, alert, attempts, created_at_ms, first_attempt_at_ms, next_attempt_at_ms,"
                           " finished_at_ms) VALUES (?1, 'charge', ?1 || ':charge', 1234, 'USD', 'pi_' || ?1,"
                           " 'succeeded', 1, 1, ?2, ?2, ?2, ?2)");
  for (int i = 0; i < count; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::int64_t at = first_ms + i * 1000LL;
    const std::string request = R"({"session_id":")" + id +
                                R"(","lane":1,"shopper":"shp_bench","group":1,"admitted_at":"2026-11-22T00:00:00.000Z"})";
    for (SQLite::Statement* s : {&session, &cart, &settlement, &charge}) {
      s->reset();
      s->bind(1, id);
      s->bind(2, at);
    }
    session.bind(3, request);
    session.exec();
    cart.exec();
    settlement.exec();
    charge.exec();
  }
  transaction.commit();
}

std::int64_t file_bytes(db::Database& db, const std::filesystem::path& file) {
  db.sql().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return static_cast<std::int64_t>(std::filesystem::file_size(file));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"passgate-bench-retention: how long retention's batches hold the event loop"};
  std::string db_file, json_file;
  int count = 100'000;
  int keep = 10'000;
  int commits = 500;
  app.add_option("--database", db_file, "a new database file for the run")->required();
  app.add_option("--count", count, "final sessions past their retention")->capture_default_str();
  app.add_option("--keep", keep, "younger sessions, kept")->capture_default_str();
  app.add_option("--commits", commits, "durable commits for the floor")->capture_default_str();
  app.add_option("--json", json_file, "also write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);
  try {
    if (std::filesystem::exists(db_file)) throw std::runtime_error(db_file + " exists: give a new file");
    auto db = must(db::Database::open(db_file), "open " + db_file);
    add_settled_sessions(*db, "old-", count, kNowMs - 200 * kDayMs);
    add_settled_sessions(*db, "young-", keep, kNowMs - 10 * kDayMs);
    const std::int64_t bytes_before = file_bytes(*db, db_file);

    db::Retention retention(*db);
    const db::RetentionCutoffs cut{kNowMs - 90 * kDayMs, kNowMs - 365 * kDayMs};
    std::vector<double> batches;
    std::int64_t deleted = 0;
    const auto swept = SteadyClock::now();
    db::SessionCursor cursor;
    for (bool done = false; !done;) {
      const auto start = SteadyClock::now();
      const db::SessionBatch batch = must(retention.delete_sessions(cut, cursor), "delete a batch");
      batches.push_back(micros_since(start));
      deleted += batch.deleted.sessions;
      cursor = batch.next;
      done = batch.done;
    }
    std::vector<double> steps;
    for (;;) {
      const db::FilePages before = must(db::file_pages(*db), "read the pages");
      const auto start = SteadyClock::now();
      const db::FilePages after = must(db::reclaim_free_pages(*db, 256, 256), "hand pages back");
      steps.push_back(micros_since(start));
      if (after.free_pages <= 256 || after.free_pages >= before.free_pages) break;
    }
    const double sweep_s = micros_since(swept) / 1e6;
    const std::int64_t bytes_after = file_bytes(*db, db_file);

    db::SessionStore sessions(*db);
    std::vector<double> floor;
    for (int i = 0; i < commits; ++i) {
      db::SessionRecord s;
      s.session_id = "floor-" + std::to_string(i);
      s.token_id = "jti-" + s.session_id;
      s.token_expires_at = kNowMs / 1000 + 120;
      s.lane = 1;
      s.shopper = "shp_bench";
      s.admitted_at = "2026-11-22T00:00:00.000Z";
      s.created_at_ms = kNowMs;
      s.open_request = "{}";
      const auto start = SteadyClock::now();
      must(sessions.begin(s, db::OutboxMessage{"session_open", "/v1/sessions", "{}", s.session_id}), "begin a session");
      floor.push_back(micros_since(start));
    }

    const nlohmann::json figures{
        {"sessions_deleted", deleted},
        {"sessions_kept", keep},
        {"batch", bench::latency_summary(batches)},
        {"page_step", bench::latency_summary(steps)},
        {"durable_commit_floor", bench::latency_summary(floor)},
        {"sweep_s", sweep_s},
        {"file_bytes_before", bytes_before},
        {"file_bytes_after", bytes_after}};
    std::cout << "retention sweep of " << deleted << " final sessions (" << keep << " younger kept) in " << sweep_s
              << " s\n  batch (50 sessions):      " << bench::describe_latency(figures["batch"])
              << "\n  page step (1 MiB back):   " << bench::describe_latency(figures["page_step"])
              << "\n  floor, a durable commit:  " << bench::describe_latency(figures["durable_commit_floor"])
              << "\n  database file: " << bytes_before << " -> " << bytes_after << " bytes\n";
    bench::write_json(json_file, figures);
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-retention: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
