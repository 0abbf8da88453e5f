// StoreHistory: fills a gate's database with the rows a busy store leaves behind, written by
// the real stores of db/ (and the real settlement rules), so they are the rows passgated
// writes: sessions admitted online or offline, denied or cancelled, their passages through
// the outbox, final carts, settlements and payment operations, a few declines and
// quarantined carts that operators wrote off (audit log), and the used-token purge the
// daemon runs. For the benchmarks only (tools/bench/year_db.cpp); nothing here is timed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "crypto/payment_sealer.hpp"
#include "db/database.hpp"

namespace passgate::bench {

struct HistorySpec {
  std::string store_id;
  std::string gate_id;
  std::int64_t end_ms = 0;  // the history ends here (Unix ms): "now"
  std::uint64_t seed = 1;
};

// What was written, for the generator's summary.
struct HistoryCounts {
  std::int64_t sessions = 0;
  std::int64_t denied = 0;
  std::int64_t cancelled = 0;
  std::int64_t offline = 0;
  std::int64_t carts = 0;
  std::int64_t charges = 0;
  std::int64_t declined = 0;
  std::int64_t quarantined = 0;
  std::int64_t audited = 0;
  std::int64_t pending = 0;
  std::int64_t still_inside = 0;
};

class StoreHistory {
 public:
  StoreHistory(db::Database& db, const crypto::PaymentSealer& sealer, HistorySpec spec);

  // One store day of `shoppers` entries between 07:00 and 22:00 of the day that starts at
  // `day_start_ms`, settled and paid as the daemon would. An operator writes off the earlier
  // days' declines and quarantined carts at 08:00, so the last day's stay open. The used-token
  // purge runs at the day's end. Throws std::runtime_error on a store error.
  void day(std::int64_t day_start_ms, int shoppers);
  // `count` shoppers inside right now (sessions open, no cart yet), admitted in the last minutes.
  void inside_now(int count);
  // `count` sessions whose charges wait in the payment queue (the gateway was unreachable):
  // admitted, cart final and settled in the hour before end_ms, the charge pending. Their
  // payment reference is cus_bench / pm_card_visa, which the gateway simulator accepts.
  void pending_charges(int count);

  [[nodiscard]] const HistoryCounts& counts() const { return counts_; }

 private:
  struct Session;
  Session admit(std::int64_t at_ms, bool bench_payer);
  void settle_and_pay(const Session& s, std::int64_t total_minor, std::int64_t finalized_ms, bool pay);
  void deliver_outbox();
  std::string uuid();

  db::Database& db_;
  const crypto::PaymentSealer& sealer_;
  HistorySpec spec_;
  std::mt19937_64 random_;
  HistoryCounts counts_;
};

}  // namespace passgate::bench
