// generate_day (day_generator.hpp): steps drawn by weight, amounts by kind.
#include "tests/settlement_model/day_generator.hpp"

#include <array>
#include <map>
#include <random>

#include "db/settlement_store.hpp"
#include "tests/settlement_model/shop_model.hpp"

namespace passgate::model {

namespace {

constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kClaimWaitMs = db::SettlementStore::kClaimWaitMaxS * kSecondMs;
// Whether an app-only day is a store day is drawn apart (seed ^ kStoreSalt), so that the other
// app-only days stay what they were, seed for seed.
constexpr std::uint64_t kStoreSalt = 0x5707e;

// One day being written: the sessions admitted so far and their carts, so steps mostly
// name sessions that exist and carts fit their hold.
class DayWriter {
 public:
  DayWriter(std::uint64_t seed, DayMix mix)
      : rng_(seed),
        cards_(mix == DayMix::with_cards),
        store_(mix == DayMix::app_only && std::mt19937_64(seed ^ kStoreSalt)() % 2 == 0) {}

  std::vector<Step> write() {
    const auto count = between(10, 70);
    for (std::int64_t i = 0; i < count; ++i) add_step();
    for (auto& [number, session] : sessions_) {
      if (!session.has_cart && chance(0.6)) steps_.push_back(cart_for(number, session));
    }
    steps_.push_back(time_passes(between(1, 3000)));
    return std::move(steps_);
  }

 private:
  struct Admitted {
    std::int64_t hold = 0;
    bool has_cart = false;
    std::int64_t first_total = 0;
    bool unverified = false;
  };
  enum Kind {
    kAdmit, kCart, kCancel, kFault, kTime, kWall, kCrash, kRetry, kWriteOff, kCrashRecording, kReload,
    kUnverified, kStore, kHours, kStoreRemoved, kChargeCart, kKinds
  };
  // How often each kind of step comes, in the order of Kind (app-only days: no reloads, no store).
  static constexpr std::array<double, kKinds> kWeights{14, 16, 3, 14, 25, 3, 5, 4, 2, 3, 0};
  // (Card days retry more: a declined remainder is retried under its own key first, and only
  // its second retry makes a new attempt under a new key.)
  static constexpr std::array<double, kKinds> kCardDayWeights{14, 16, 3, 14, 25, 3, 5, 7, 2, 3, 2};
  // Store days: unverified admissions, the store's answers, hours around the claim wait, now
  // and then [store] removed, and the operator's charges of quarantined carts.
  static constexpr std::array<double, kKinds> kStoreDayWeights{10, 16, 3, 12, 25, 3, 5, 4, 2, 3, 0,
                                                               9, 7, 3, 0.4, 3};

  std::int64_t between(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void add_step() {
    const auto& weights = cards_ ? kCardDayWeights : store_ ? kStoreDayWeights : kWeights;
    std::discrete_distribution<int> kind(weights.begin(), weights.end());
    const int drawn = kind(rng_);
    if (sessions_.empty() && (drawn == kCart || drawn == kCancel)) return steps_.push_back(admitted());
    switch (drawn) {
      case kAdmit: return steps_.push_back(admitted());
      case kCart: {
        const int number = some_session();
        return steps_.push_back(cart_for(number, sessions_[number]));
      }
      case kCancel: return steps_.push_back(cancel_at_lane(some_session()));
      case kFault: return steps_.push_back(fault());
      case kTime: return steps_.push_back(time_passes(duration()));
      case kWall: return steps_.push_back(wall_clock_step(clock_step()));
      case kCrash: return steps_.push_back(crash_restart(downtime()));
      case kCrashRecording: return steps_.push_back(crash_before_record(downtime()));
      case kRetry: return steps_.push_back(retried());
      case kReload: return steps_.push_back(config_reload(static_cast<int>(between(0, 8))));
      case kUnverified: return steps_.push_back(admitted_unverified());
      case kStore: return steps_.push_back(store_answer());
      case kHours: return steps_.push_back(hours_pass(hours()));
      case kStoreRemoved: return steps_.push_back(store_removed());
      case kChargeCart: return charged_cart();
      default: return steps_.push_back(operator_write_off(static_cast<int>(between(0, 9))));
    }
  }

  Step admitted() {
    if (cards_ && chance(0.5)) return tapped();
    const int number = next_session_++;
    const std::int64_t hold = chance(0.7) ? (chance(0.5) ? 1500 : 5000) : 0;
    sessions_[number].hold = hold;
    return admit(number, hold, chance(0.15) ? Card::declined : Card::visa,
                 chance(0.1) ? Engine::refuses : Engine::admits);
  }

  Step admitted_unverified() {
    Step step = admitted();
    step.kind = Step::Kind::admit_unverified;
    sessions_[step.session].unverified = true;
    return step;
  }

  // The operator's charge of a quarantined cart; some declined at once and retried (a double
  // use's charge: queue retry must refuse it).
  void charged_cart() {
    steps_.push_back(operator_charges_cart(static_cast<int>(between(0, 9))));
    if (!chance(0.4)) return;
    steps_.push_back(gateway_fault(0, Fault::decline));
    steps_.push_back(time_passes(duration()));
    steps_.push_back(operator_retry(kNewestDeadLetter));
  }

  // Etcd's next answer, mostly about an unverified session.
  Step store_answer() {
    std::vector<int> unverified;
    for (const auto& [number, session] : sessions_)
      if (session.unverified) unverified.push_back(number);
    int number = 0;
    if (!unverified.empty() && chance(0.8)) {
      number = unverified[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(unverified.size()) - 1))];
    } else if (!sessions_.empty()) {
      number = some_session();
    }
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    return store_answers(number, p < 0.4 ? Resolution::double_use : p < 0.75 ? Resolution::claimed
                                                                              : Resolution::unreachable);
  }

  // Hours: some, or about the claim wait (a day, an hour and 30 s after a token), or past it.
  std::int64_t hours() {
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.4) return between(kHourMs, 20 * kHourMs);
    if (p < 0.8) return between(kClaimWaitMs - 2 * kHourMs, kClaimWaitMs + 2 * kHourMs);
    return between(kClaimWaitMs, 30 * kHourMs);
  }

  // The operator's retry of some dead letter; on card days, often of the newest one (what a
  // retry that declined again left), and some after the shopper's card can pay again
  // (app-only days draw nothing more: they stay what they were, seed for seed).
  Step retried() {
    const int pick = static_cast<int>(between(0, 9));
    if (!cards_) return operator_retry(pick);
    const int which = chance(0.6) ? kNewestDeadLetter : pick;
    return operator_retry(which, chance(0.4) ? Funds::restored : Funds::unchanged);
  }

  // A card shopper: a hold of 15.00 or 30.00 on one of four cards (so taps of one card meet its
  // open session or its blocklist entry), some wallets, some cards without incremental
  // authorization, some saved cards that decline off-session, and some holds that lapse
  // within the day (seconds to minutes, or a day: a long crash outlives them); some holds'
  // reads say no deadline, a few one no hold can have.
  Step tapped() {
    const int number = next_session_++;
    CardTap tap;
    tap.number = static_cast<int>(between(0, 3));
    tap.wallet = chance(0.25);
    tap.incremental = chance(0.6);
    tap.rest = chance(0.3) ? Card::declined : Card::visa;
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.15) tap.capture_window_ms = between(2 * kSecondMs, kMinuteMs);
    else if (p < 0.3) tap.capture_window_ms = between(kMinuteMs, 15 * kMinuteMs);
    else if (p < 0.4) tap.capture_window_ms = between(kHourMs, 30 * kHourMs);
    const double told = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (told < 0.12) tap.deadline = Deadline::untold;
    else if (told < 0.17) tap.deadline = nonsense_deadline();
    const std::int64_t hold = chance(0.5) ? 1500 : 3000;
    sessions_[number].hold = hold;
    return card_tap(number, hold, tap);
  }

  // A capture_before no hold can have.
  Deadline nonsense_deadline() {
    constexpr std::array kNonsense{Deadline::milliseconds, Deadline::before_tap, Deadline::past_31_days,
                                   Deadline::huge};
    return kNonsense[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(kNonsense.size()) - 1))];
  }

  int some_session() {
    auto it = sessions_.begin();
    std::advance(it, between(0, static_cast<std::int64_t>(sessions_.size()) - 1));
    return it->first;
  }

  // The session's first cart, or a duplicate of it, or a late one with another total.
  Step cart_for(int number, Admitted& session) {
    if (session.has_cart && chance(0.5)) return final_cart(number, session.first_total);
    const std::int64_t total = cart_total(session.hold);
    if (!session.has_cart) {
      session.has_cart = true;
      session.first_total = total;
    }
    return final_cart(number, total);
  }

  // 0, below, equal to or above the hold; any total without one.
  std::int64_t cart_total(std::int64_t hold) {
    // (Store days: now and then a total above payments.max_cart_minor, quarantined over_limit.)
    if (store_ && chance(0.05)) return kMaxCartMinor + between(1, 500);
    if (hold == 0) return chance(0.15) ? 0 : between(1, 20000);
    switch (between(0, 4)) {
      case 0: return 0;
      case 1: return between(1, hold - 1);
      case 2: return hold;
      default: return between(hold + 1, 3 * hold);
    }
  }

  Step fault() {
    constexpr std::array kFaults{Fault::timeout_applied, Fault::timeout_lost,    Fault::refused,
                                 Fault::error5xx,        Fault::in_progress409,  Fault::rate_limited429,
                                 Fault::decline,         Fault::lie_amount};
    // (Card days also lag the search: what a refused capture's hold read may meet.)
    const std::size_t modes = kFaults.size() + (cards_ ? 1 : 0);
    const auto drawn = static_cast<std::size_t>(between(0, static_cast<std::int64_t>(modes) - 1));
    const Fault mode = drawn < kFaults.size() ? kFaults[drawn] : Fault::stale_read;
    return gateway_fault(sessions_.empty() || chance(0.2) ? 0 : some_session(), mode);
  }

  std::int64_t duration() {
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.5) return between(1, 200);
    if (p < 0.8) return between(200, 3 * kSecondMs);
    return between(3 * kSecondMs, 20 * kSecondMs);
  }

  // NTP steps: forward up to 2 h, back mostly by minutes, rarely by hours.
  std::int64_t clock_step() {
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.45) return between(kSecondMs, 2 * kHourMs);
    if (p < 0.9) return -between(kSecondMs, 5 * kMinuteMs);
    return -between(kHourMs, 3 * kHourMs);
  }

  // Mostly a quick restart; sometimes a day or more (the gateway forgets its keys).
  std::int64_t downtime() {
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.7) return between(0, 30 * kSecondMs);
    if (p < 0.9) return between(30 * kSecondMs, 10 * kMinuteMs);
    return between(24 * kHourMs, 26 * kHourMs);
  }

  std::mt19937_64 rng_;
  bool cards_ = false;
  bool store_ = false;
  std::vector<Step> steps_;
  std::map<int, Admitted> sessions_;
  int next_session_ = 1;
};

}  // namespace

std::vector<Step> generate_day(std::uint64_t seed, DayMix mix) { return DayWriter(seed, mix).write(); }

}  // namespace passgate::model
