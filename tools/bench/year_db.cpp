// passgate-bench-year-db: makes a gate database holding the history of a busy store (by
// default 365 days ending now, 2,000 shoppers a day) through the real stores of db/
// (tools/bench/store_history.hpp), so a benchmark can start passgated on a year of data.
// Optionally adds charges waiting in the payment queue (--pending N, sealed with the gate's
// key so its drain can send them) and shoppers still inside. For speed (a year is some five
// million store calls) it commits once per store day (tools/bench/batched_transactions.hpp),
// writes with PRAGMA synchronous = OFF (a crash while generating only loses the benchmark's
// file) and foreign_keys = OFF (the rows are the same; the checks cost: with them on, every
// SessionStore::begin scans all of used_tokens, as in the daemon, since the token's row goes in
// before its session's and used_tokens.session_id has no index), keeps a large page cache and
// stops malloc from giving memory back after every statement; then it checkpoints the WAL into the file, so the file's size is the database's.
// tools/bench/run.py runs it.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <SQLiteCpp/Database.h>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>
#include <string>

#include "common/time_format.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/database.hpp"
#include "tools/bench/batched_transactions.hpp"
#include "tools/bench/bench_stats.hpp"
#include "tools/bench/must.hpp"
#include "tools/bench/store_history.hpp"

int main(int argc, char** argv) {
  using namespace passgate;
  CLI::App app{"passgate-bench-year-db: a gate database with a busy store's history, written by the real stores"};
  std::string db_file, seal_key_file, json_file;
  bench::HistorySpec spec{"store-bench", "gate-bench", 0, 1};
  int days = 365, per_day = 2000, inside = 5, pending = 0;
  app.add_option("--database", db_file, "the database to make (must not exist)")->required();
  app.add_option("--seal-key-file", seal_key_file, "the gate's payments.seal_key_file")->required()
      ->check(CLI::ExistingFile);
  app.add_option("--store-id", spec.store_id, "the gate's store_id")->capture_default_str();
  app.add_option("--gate-id", spec.gate_id, "the gate's gate_id")->capture_default_str();
  app.add_option("--days", days, "days of history, ending now")->capture_default_str()->check(CLI::Range(0, 3650));
  app.add_option("--per-day", per_day, "shoppers a day")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--inside", inside, "shoppers inside now (open sessions)")->capture_default_str();
  app.add_option("--pending", pending, "charges waiting in the payment queue")->capture_default_str();
  app.add_option("--seed", spec.seed, "random seed")->capture_default_str();
  app.add_option("--json", json_file, "also write the counts, size and time as JSON here");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::warn);
  try {
    if (std::filesystem::exists(db_file)) throw std::runtime_error(db_file + " exists; give a new file");
    const auto started = std::chrono::steady_clock::now();
    spec.end_ms = unix_millis(std::chrono::system_clock::now());
    auto sealer = bench::must(crypto::PaymentSealer::load(seal_key_file, {}), "seal key");
    auto database = bench::must(db::Database::open(db_file), "open " + db_file);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    database->sql().exec("PRAGMA synchronous = OFF");
    database->sql().exec("PRAGMA foreign_keys = OFF");
    database->sql().exec("PRAGMA cache_size = -262144");
    bench::StoreHistory history(*database, sealer, spec);
    constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    for (int d = 0; d < days; ++d) {
      bench::BatchedTransactions day(*database);
      history.day(spec.end_ms - static_cast<std::int64_t>(days - d) * kDayMs, per_day);
      day.commit();
      if ((d + 1) % 30 == 0) std::cerr << "passgate-bench-year-db: " << d + 1 << " of " << days << " days\n";
    }
    bench::BatchedTransactions now(*database);
    history.inside_now(inside);
    history.pending_charges(pending);
    now.commit();
    database->sql().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    database.reset();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto bytes = std::filesystem::file_size(db_file);
    const auto& c = history.counts();
    std::cout << "year database: " << days << " days, " << c.sessions << " sessions (" << c.denied << " denied, "
              << c.cancelled << " cancelled, " << c.offline << " offline), " << c.charges << " payment operations ("
              << c.declined << " declined, " << c.pending << " pending), " << c.quarantined << " quarantined carts, "
              << c.audited << " audit entries; " << bytes / 1048576.0 << " MiB in " << seconds << " s\n";
    bench::write_json(json_file, {{"days", days},
                                  {"per_day", per_day},
                                  {"sessions", c.sessions},
                                  {"denied", c.denied},
                                  {"cancelled", c.cancelled},
                                  {"offline", c.offline},
                                  {"carts", c.carts},
                                  {"payment_ops", c.charges},
                                  {"declined", c.declined},
                                  {"pending", c.pending},
                                  {"quarantined_carts", c.quarantined},
                                  {"audit_entries", c.audited},
                                  {"inside", c.still_inside},
                                  {"bytes", bytes},
                                  {"seconds", seconds}});
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "passgate-bench-year-db: " << e.what() << '\n';
    return 1;
  }
}
