#include "tools/bench/store_history.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "common/time_format.hpp"
#include "controller/settlement/carts_feed.hpp"
#include "controller/settlement/rules.hpp"
#include "controller/tracking/messages.hpp"
#include "db/cart_quarantine.hpp"
#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "tools/bench/must.hpp"

namespace passgate::bench {

namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kTokenLifetimeS = 60;
constexpr int kCartBatch = 100;  // carts per feed page, as carts_page_limit's default
constexpr int kEntryLanes = 4;
constexpr int kShoppers = 40'000;  // the store's regular shoppers (sessions of one shopper never overlap here)
// The feed cursor a fresh `passgate-sim tracking` accepts, so a gate on this database can poll it.
constexpr const char* kCursor = "feed-0";

WallTime wall(std::int64_t ms) { return WallTime{std::chrono::milliseconds(ms)}; }

}  // namespace

struct StoreHistory::Session {
  std::string id;
  std::int64_t at_ms = 0;
  std::string open_request;
};

StoreHistory::StoreHistory(db::Database& db, const crypto::PaymentSealer& sealer, HistorySpec spec)
    : db_(db), sealer_(sealer), spec_(std::move(spec)), random_(spec_.seed) {}

std::string StoreHistory::uuid() {
  const std::uint64_t a = random_(), b = random_();
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

StoreHistory::Session StoreHistory::admit(std::int64_t at_ms, bool bench_payer) {
  db::SessionStore sessions(db_);
  Session s{uuid(), at_ms, {}};
  const int shopper = std::uniform_int_distribution<int>(1, kShoppers)(random_);
  db::SessionRecord r;
  r.session_id = s.id;
  r.token_id = "jti-" + uuid();
  r.token_expires_at = at_ms / kSecond + kTokenLifetimeS + db::kMaxClockSkewS;
  r.lane = std::uniform_int_distribution<int>(1, kEntryLanes)(random_);
  r.shopper = "shp_" + std::to_string(shopper);
  r.group_size = std::uniform_int_distribution<int>(0, 9)(random_) == 0 ? 2 : 1;
  r.admitted_at = format_rfc3339_ms(wall(at_ms));
  r.created_at_ms = at_ms;
  r.open_request = controller::session_open_body({spec_.store_id, spec_.gate_id},
                                                 {s.id, r.lane, r.shopper, r.token_id, r.group_size, r.admitted_at});
  const crypto::PaymentReference pay = bench_payer ? crypto::PaymentReference{"cus_bench", "pm_card_visa"}
                                                   : crypto::PaymentReference{"cus_" + std::to_string(shopper),
                                                                              "pm_" + uuid().substr(0, 24)};
  auto sealed = must(crypto::seal_payment_reference(sealer_, pay, s.id), "seal a payment reference");
  r.pay_key_id = std::move(sealed.key_id);
  r.pay_sealed = std::move(sealed.blob);
  must(sessions.begin(r, controller::open_message(s.id, r.open_request)), "begin a session");
  s.open_request = std::move(r.open_request);
  ++counts_.sessions;
  return s;
}

void StoreHistory::settle_and_pay(const Session& s, std::int64_t total_minor, std::int64_t finalized_ms, bool pay) {
  db::SettlementStore settlements(db_);
  db::PaymentQueue queue(db_);
  const db::FinalCart cart{s.id, "USD", total_minor, format_rfc3339_ms(wall(finalized_ms))};
  const auto plan = controller::plan_settlement(s.id, cart, std::nullopt);
  const std::int64_t planned_ms = finalized_ms + 2 * kSecond;
  const auto ids = must(settlements.settle(plan.decision, plan.ops, planned_ms), "settle");
  for (const std::int64_t id : ids) {
    ++counts_.charges;
    if (!pay) {
      ++counts_.pending;
      continue;
    }
    must(queue.mark_in_flight(id, planned_ms + 100), "send");
    if (std::uniform_int_distribution<int>(0, 999)(random_) < 3) {
      must(queue.mark_declined(id, "declined: card_declined", planned_ms + 600), "decline");
      ++counts_.declined;
    } else {
      must(queue.mark_succeeded(id, "pi_" + uuid().substr(0, 24), planned_ms + 600), "succeed");
    }
  }
}

void StoreHistory::deliver_outbox() {
  db::Outbox outbox(db_);
  for (;;) {
    const auto due = must(outbox.sendable(0, 500), "outbox");
    if (due.empty()) return;
    for (const auto& item : due) must(outbox.remove(item.id), "outbox remove");
  }
}

void StoreHistory::day(std::int64_t day_start_ms, int shoppers) {
  db::SessionStore sessions(db_);
  db::Outbox outbox(db_);
  db::SettlementStore settlements(db_);
  db::PaymentQueue queue(db_);
  db::CartQuarantine quarantine(db_);
  const controller::GateIdentity gate{spec_.store_id, spec_.gate_id};

  // Operators write off yesterday's declines and quarantined carts at 08:00 (each audited);
  // a quarantined cart written off settles its session without a cart.
  const std::int64_t morning = day_start_ms + 8 * kHour;
  for (const auto& op : must(queue.in_states({db::PaymentOpState::declined}), "declines")) {
    must(queue.write_off(op.id, "customer contacted; card expired", db::AuditActor("ops", 0, 0), morning),
         "write off");
    ++counts_.audited;
  }
  for (const auto& cart : must(quarantine.open(0), "quarantined carts")) {
    must(quarantine.write_off(cart.id, "cart checked by the store: void", db::AuditActor("ops", 0, 0), morning),
         "write off a cart");
    const auto plan = controller::plan_settlement(cart.cart.session_id, std::nullopt, std::nullopt);
    (void)must(settlements.settle(plan.decision, plan.ops, morning + kSecond), "settle without a cart");
    ++counts_.audited;
  }

  std::vector<std::int64_t> times;
  std::uniform_int_distribution<std::int64_t> in_hours(day_start_ms + 7 * kHour, day_start_ms + 22 * kHour);
  for (int i = 0; i < shoppers; ++i) times.push_back(in_hours(random_));
  std::sort(times.begin(), times.end());

  struct Paid {
    Session session;
    std::int64_t total_minor;
    std::int64_t finalized_ms;
  };
  std::vector<Paid> to_pay;
  std::vector<db::FinalCart> carts;
  std::vector<db::QuarantinedCart> quarantined;
  std::uniform_int_distribution<int> per_mille(0, 999);
  std::lognormal_distribution<double> basket(7.3, 0.8);  // median about 15 USD
  std::uniform_int_distribution<std::int64_t> dwell(4 * kMinute, 50 * kMinute);

  const auto flush = [&](std::int64_t now_ms) {
    if (carts.empty() && quarantined.empty()) return;
    (void)must(settlements.record_carts(controller::CartsFeed::kFeedName, carts, quarantined, kCursor, now_ms),
               "record carts");
    for (const auto& p : to_pay) settle_and_pay(p.session, p.total_minor, p.finalized_ms, true);
    carts.clear();
    quarantined.clear();
    to_pay.clear();
    deliver_outbox();
  };

  for (const std::int64_t at : times) {
    const Session s = admit(at, false);
    const int roll = per_mille(random_);
    if (roll < 15) {  // already inside (anti-passback): the token is released
      must(sessions.mark_denied(s.id, "already_inside", true, at), "deny");
      ++counts_.denied;
      continue;
    }
    if (roll < 20) {  // the engine refused the shopper
      must(sessions.mark_denied(s.id, "shopper_blocked", false, at), "deny");
      ++counts_.denied;
      continue;
    }
    if (roll < 50) {  // admitted offline: the open request went through the outbox
      must(sessions.mark_open_offline(s.id, controller::open_message(s.id, s.open_request), at), "open offline");
      ++counts_.offline;
    } else {
      must(sessions.mark_open(s.id), "open");
    }
    if (roll < 80 && roll >= 50) {  // the grant ran out before anyone passed
      must(sessions.mark_cancelled(s.id, controller::cancel_message(s.id), at + 8 * kSecond), "cancel");
      ++counts_.cancelled;
      continue;
    }
    const std::string passage_at = format_rfc3339_ms(wall(at + 3 * kSecond));
    (void)must(outbox.enqueue(controller::passage_message(
                                  s.id, controller::passage_body(gate, uuid(), 1, controller::Direction::in,
                                                                 controller::PassageKind::admitted, s.id, passage_at)),
                              at + 3 * kSecond),
               "passage");
    const std::int64_t finalized = at + dwell(random_);
    const std::int64_t total =
        per_mille(random_) < 20 ? 0 : std::max<std::int64_t>(50, static_cast<std::int64_t>(basket(random_)));
    ++counts_.carts;
    if (per_mille(random_) == 0) {  // a basket over payments.max_cart_minor
      const std::string raw = R"({"session_id":")" + s.id + R"(","currency":"USD","total_minor":250000000})";
      quarantined.push_back({s.id, db::QuarantineReason::over_limit, "total_minor 250000000 is over max_cart_minor",
                             raw, format_rfc3339_ms(wall(finalized))});
      ++counts_.quarantined;
    } else {
      carts.push_back({s.id, "USD", total, format_rfc3339_ms(wall(finalized))});
      to_pay.push_back({s, total, finalized});
    }
    if (static_cast<int>(carts.size() + quarantined.size()) == kCartBatch) flush(finalized + 2 * kSecond);
  }
  flush(day_start_ms + 23 * kHour);
  (void)must(sessions.purge_used_tokens((day_start_ms + 24 * kHour) / kSecond), "purge used tokens");
}

void StoreHistory::inside_now(int count) {
  db::SessionStore sessions(db_);
  for (int i = 0; i < count; ++i) {
    const Session s = admit(spec_.end_ms - (count - i) * kMinute, false);
    must(sessions.mark_open(s.id), "open");
    ++counts_.still_inside;
  }
}

void StoreHistory::pending_charges(int count) {
  db::SessionStore sessions(db_);
  db::SettlementStore settlements(db_);
  std::vector<db::FinalCart> carts;
  std::vector<Session> batch;
  const std::int64_t start = spec_.end_ms - kHour;
  for (int i = 0; i < count; ++i) {
    const std::int64_t at = start + kHour * i / std::max(count, 1) / 2;
    batch.push_back(admit(at, true));
    must(sessions.mark_open(batch.back().id), "open");
    const std::int64_t finalized = at + kHour / 4;
    carts.push_back({batch.back().id, "USD", 100 + i % 5000, format_rfc3339_ms(wall(finalized))});
    if (static_cast<int>(carts.size()) == kCartBatch || i + 1 == count) {
      (void)must(settlements.record_carts(controller::CartsFeed::kFeedName, carts, {}, kCursor, finalized),
                 "record carts");
      for (std::size_t k = 0; k < batch.size(); ++k) {
        settle_and_pay(batch[k], carts[k].total_minor, finalized, false);
      }
      counts_.carts += static_cast<std::int64_t>(carts.size());
      carts.clear();
      batch.clear();
    }
  }
}

}  // namespace passgate::bench
