#include "passgated/control_status.hpp"

#include <optional>
#include <string>
#include <vector>

#include "common/time_format.hpp"
#include "controller/settlement/currency.hpp"
#include "controller/metrics/gate_alerts.hpp"
#include "passgated/control_lanes.hpp"
#include "passgated/control_queue.hpp"
#include "passgated/control_request.hpp"
#include "controller/settlement/sealing_keys_in_use.hpp"
#include "db/outbox.hpp"
#include "db/payments_summary.hpp"
#include "db/session_store.hpp"
#include "db/session_view.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

// {"state": "reachable"|"unreachable"|"unknown", "since", "since_ms"}
json reachability_json(const std::optional<std::string>& state, std::int64_t since_ms) {
  if (!state) return json{{"state", "unknown"}};
  return json{{"state", *state}, {"since", format_rfc3339_ms(WallTime{std::chrono::milliseconds{since_ms}})},
              {"since_ms", since_ms}};
}

json tracking_json(const controller::WatchedTracking& tracking) {
  const auto& r = tracking.reachability();
  if (!r) return reachability_json(std::nullopt, 0);
  return reachability_json(r->reachable ? "reachable" : "unreachable", unix_millis(r->since));
}

json gateway_json(const db::PaymentsSummary& payments) {
  if (!payments.gateway) return reachability_json(std::nullopt, 0);
  return reachability_json(payments.gateway->value, payments.gateway->updated_at_ms);
}

std::vector<std::string> lane_attention(const controller::LaneStatus& s) {
  const std::string lane = "lane " + std::to_string(s.number);
  std::vector<std::string> out;
  if (!s.in_service) out.push_back(lane + " is out of service (passgatectl lane " + std::to_string(s.number) +
                                   " in-service puts it back)");
  if (s.state == "fault") out.push_back(lane + " is in fault: scans are refused until it clears");
  if (s.scanner_connected && !*s.scanner_connected) {
    out.push_back(lane + "'s scanner is not connected" + (s.scanner_detail.empty() ? "" : " (" + s.scanner_detail + ")"));
  }
  if (s.card_entry && !s.card_entry->enabled && s.card_entry->reason != "starting") {
    out.push_back(lane + "'s card entry is off (" + s.card_entry->reason + "): shoppers there use the app");
  }
  for (const auto kind : s.alarms.active_list()) {
    if (kind != controller::AlarmKind::scanner_fault) out.push_back(lane + " alarm: " + std::string(to_string(kind)));
  }
  return out;
}

struct Alerts {
  std::optional<std::string> outbox_stuck;
  std::optional<std::string> clock_stepped_back;
  std::optional<std::string> entry_refused_by_clock;
  std::optional<std::string> writes_waiting;
};

// The session-ending writes waiting for the database: what a restart now would lose.
std::optional<std::string> writes_waiting_attention(const controller::SessionEndWrites& writes) {
  if (writes.total() == 0) return std::nullopt;
  std::string line = std::to_string(writes.total()) +
                     " session-ending write(s) (a denial, the cancel of an unused grant) wait for the database";
  if (writes.dropped > 0) line += " (" + std::to_string(writes.dropped) + " beyond the list's cap, no longer retried)";
  return line + ": let passgated write them before you restart it (event=denial_recorded as each is written; "
                "a restart now loses them: event=denial_record_lost)";
}

// The store-wide coordination ([store]): etcd's answers, what the gate owes it, the double
// uses found in the last 24 h, the store's occupancy as last read.
json store_json(controller::StoreLink& store, const controller::GateConfig& config,
                const db::StoreClaimsSummary& owed, SteadyTime steady_now) {
  const controller::StoreOccupancyView& view = store.occupancy();
  json occupancy = json();
  if (view.occupancy && view.read_at) {
    occupancy = {{"inside", view.occupancy->inside()},
                 {"entered", view.occupancy->entered},
                 {"exited", view.occupancy->exited},
                 {"arrays", view.occupancy->arrays},
                 {"read_s_ago", std::chrono::duration_cast<std::chrono::seconds>(steady_now - *view.read_at).count()}};
  }
  json out{{"reachable", store.answering()},
           {"fallback", config.store.fallback == controller::StoreFallback::local ? "local" : "deny"},
           {"claims_owed", owed.claims},
           {"releases_owed", owed.releases},
           {"double_uses_24h", owed.double_uses},
           {"gate_id_shared", store.coordinator().gate_id_shared()},
           {"claims_unchecked", store.reconciler().counts().unchecked},
           {"occupancy", occupancy}};
  if (!view.answering && !view.last_error.empty()) out["last_error"] = view.last_error;
  return out;
}

// What needs a person about the store-wide coordination.
void store_attention(const json& store, json& out) {
  if (!store.at("reachable").get<bool>()) {
    out.push_back(std::string("the store's etcd does not answer: entries follow store.fallback (") +
                  store.at("fallback").get<std::string>() +
                  (store.at("fallback") == "local" ? ": admitted on this gate's own checks, claimed store-wide later)"
                                                   : ": denied lane_unavailable)") +
                  "; check etcdctl endpoint health (docs/store-coordination.md)");
  }
  if (const auto claims = store.at("claims_owed").get<std::int64_t>(); claims > 0) {
    out.push_back(std::to_string(claims) +
                  " claim(s) of admissions made while the store's etcd did not answer wait to be made store-wide");
  }
  if (const auto shared = store.at("gate_id_shared").get<std::uint64_t>(); shared > 0) {
    out.push_back(std::to_string(shared) +
                  " key(s) in the store's etcd held under this gate_id by a session this database cannot vouch for"
                  " (log event=store_gate_id_shared): another box uses the same gate_id, or this database was"
                  " restored or copied; give every gate array its own gate_id (docs/troubleshooting.md)");
  }
  if (const auto unchecked = store.at("claims_unchecked").get<std::uint64_t>(); unchecked > 0) {
    out.push_back(std::to_string(unchecked) +
                  " admission(s) made while the store's etcd did not answer could no longer be checked for a double"
                  " use (the outage outlasted the tokens by a day; log event=store_claim_unchecked): that window is"
                  " blind, tell loss prevention");
  }
  if (const auto found = store.at("double_uses_24h").get<std::int64_t>(); found > 0) {
    out.push_back(std::to_string(found) +
                  " double use(s) found in the last 24 h: a token or a shopper admitted here while etcd did not answer"
                  " was admitted at another gate array too (log event=store_double_use names the sessions); nothing"
                  " was undone, a token's cart is quarantined (double_use, passgatectl queue) unless it was charged"
                  " already (cart=already_settled): tell loss prevention");
  }
}

json attention(const controller::Gate& gate, const json& status, const db::OutboxSummary& outbox,
               const db::PaymentsSummary& payments, std::int64_t refused_sessions, const Alerts& alerts,
               std::int64_t card_holds_near_lapse) {
  json out = json::array();
  if (const auto cause = gate.fire_alarm_cause()) {
    out.push_back("the fire alarm is active: every lane is free in both directions; cause: " + cause->text);
  }
  for (const auto& s : gate.lane_status()) {
    for (auto& line : lane_attention(s)) out.push_back(std::move(line));
  }
  if (status.at("tracking").at("state") == "unreachable") {
    out.push_back("the tracking engine is unreachable: entries follow the offline policy, messages wait in the outbox");
  }
  if (alerts.outbox_stuck) {
    out.push_back("the outbox is stuck (/healthz fails): " + *alerts.outbox_stuck);
  } else if (outbox.oldest && outbox.oldest->attempts > 0) {
    out.push_back(std::to_string(outbox.waiting) + " message(s) for the tracking engine are not delivered yet: " +
                  outbox.oldest->last_error);
  }
  if (outbox.dead_letters > 0) {
    out.push_back(std::to_string(outbox.dead_letters) +
                  " message(s) the tracking engine keeps rejecting are dead letters, holding back their sessions'"
                  " later messages: passgatectl outbox lists them; send one again or drop it");
  }
  if (alerts.writes_waiting) out.push_back(*alerts.writes_waiting);
  if (alerts.clock_stepped_back) out.push_back(*alerts.clock_stepped_back + " (/healthz fails)");
  if (alerts.entry_refused_by_clock) out.push_back(*alerts.entry_refused_by_clock + " (/healthz fails)");
  if (status.at("gateway").at("state") == "unreachable") {
    out.push_back("the payment gateway is unreachable: payment operations wait in the queue");
  }
  if (payments.queue.dead_letters > 0) {
    out.push_back(std::to_string(payments.queue.dead_letters) +
                  " dead letter(s) wait for an operator: passgatectl queue lists them");
  }
  if (const std::int64_t quarantined = payments.queue.quarantined_total(); quarantined > 0) {
    out.push_back(std::to_string(quarantined) +
                  " final cart(s) are quarantined, not charged (foreign currency, total above payments.max_cart_minor,"
                  " unreadable, or a session the gate did not admit): passgatectl queue lists them; an operator"
                  " charges each after correction or writes it off");
  }
  if (card_holds_near_lapse > 0) {
    out.push_back(std::to_string(card_holds_near_lapse) +
                  " card hold(s) are near or past their capture_before with no final cart yet, or with their capture"
                  " not through: check the carts feed and the gateway (log card_hold_near_lapse names the sessions);"
                  " a hold that lapses is charged to the saved card instead, or left unpaid without one");
  }
  if (refused_sessions > 0) {
    out.push_back(std::to_string(refused_sessions) +
                  " shopper(s) admitted offline in the last 24 h were refused afterwards by the tracking engine:"
                  " they are inside and not followed, their holds are released; tell loss prevention"
                  " (passgatectl sessions shows them)");
  }
  if (status.at("payment_queue").contains("owed_capped")) {
    out.push_back("what the payment queue owes in " + status.at("payment_queue").at("owed_capped").dump() +
                  " exceeds what the gate can count: the amount shown is a lower bound; passgatectl queue lists"
                  " the operations");
  }
  return out;
}

}  // namespace

Result<json> status_reply(const controller::Gate& gate, const ControlSources& sources, const Uptime& uptime,
                          WallTime now, SteadyTime steady_now) {
  const std::int64_t now_ms = unix_millis(now);
  auto sessions = db::count_sessions(sources.database);
  if (!sessions.ok()) return sessions.error();
  auto outbox = db::Outbox(sources.database).summary();
  if (!outbox.ok()) return outbox.error();
  db::SessionStore session_store(sources.database);
  // An unreadable purge mark is told, not a reason to refuse the whole status.
  const auto purge_mark = session_store.token_purge_mark();
  const Alerts alerts{controller::outbox_stuck(*outbox, now_ms, sources.config.tracking.outbox_alert_after),
                      controller::clock_stepped_back(sources.clock_watch.last_step_back(), steady_now),
                      purge_mark.ok() ? controller::entry_refused_by_clock(*purge_mark, now_ms / 1000)
                                      : "used entry-token ids are not purged: " + purge_mark.error().message,
                      writes_waiting_attention(sources.admission.writes_waiting())};
  auto payments = db::read_payments_summary(sources.database);
  if (!payments.ok()) return payments.error();
  constexpr std::int64_t kDayMs = 24 * 3600 * 1000;
  auto refused = session_store.refused_since(now_ms - kDayMs);
  if (!refused.ok()) return refused.error();
  auto keys_in_use = controller::sealing_keys_in_use(session_store, sources.sealer, false);
  if (!keys_in_use.ok()) return keys_in_use.error();
  json sealing_keys = json::array();
  for (const auto& [key_id, use] : *keys_in_use) {
    sealing_keys.push_back({{"key_id", key_id},
                            {"sessions", use.sessions},
                            {"current", key_id == sources.sealer.current_key_id()},
                            {"configured", use.configured}});
  }

  json lanes = json::array();
  for (const auto& s : gate.lane_status()) lanes.push_back(lane_json(s));
  json by_state = json::object();
  for (const auto& [state, n] : sessions->by_state) by_state[std::string(db::to_string(state))] = n;
  const auto& q = payments->queue;
  json status{{"store_id", sources.config.store_id},
              {"gate_id", sources.config.gate_id},
              {"config_file", sources.config.source.string()},
              {"database", sources.config.database.string()},
              {"started_at", format_rfc3339_ms(uptime.started_at)},
              {"uptime_s", uptime.running.count()},
              {"fire_alarm", gate.fire_alarm()},
              {"fire_alarm_cause", fire_alarm_cause_json(gate)},
              {"lanes", lanes},
              {"tracking", tracking_json(sources.tracking)},
              {"outbox", outbox->waiting},
              {"outbox_oldest_age_s", outbox->oldest ? age_seconds(outbox->oldest->created_at_ms, now_ms) : 0},
              {"outbox_dead_letters", outbox->dead_letters},
              {"outbox_stuck", alerts.outbox_stuck.has_value()},
              {"wall_clock_stepped_back", alerts.clock_stepped_back.has_value()},
              {"sessions_total", sessions->total},
              {"sessions_open", sessions->open},
              {"sessions_open_offline", sessions->open_offline},
              {"sessions_by_state", by_state},
              {"sessions_refused_24h", *refused},
              {"session_end_writes_waiting", sources.admission.writes_waiting().total()},
              {"sealing_keys_in_use", sealing_keys},
              {"gateway", gateway_json(*payments)},
              {"payment_queue",
               {{"outstanding", q.outstanding_ops},
                {"oldest_age_s", q.oldest_created_at_ms ? json(age_seconds(*q.oldest_created_at_ms, now_ms)) : json()},
                {"dead_letters", q.dead_letters},
                {"quarantined_carts", q.quarantined_total()}}},
              {"settlements", {{"decided", payments->settlements_decided}, {"settled", payments->sessions_settled}}}};
  put_owed(status["payment_queue"], q);
  if (outbox->oldest) {
    status["outbox_attempts"] = outbox->oldest->attempts;
    status["outbox_last_error"] = outbox->oldest->last_error;
  }
  if (const auto& step = sources.clock_watch.last_step_back()) {
    status["wall_clock_last_step_back"] = {
        {"by_ms", step->step.high_water_ms - step->step.now_ms},
        {"noticed_s_ago", std::chrono::duration_cast<std::chrono::seconds>(steady_now - step->noticed_at).count()}};
  }
  const std::int64_t near_lapse = q.card_holds_near_lapse(now_ms / 1000, sources.card_lapse_warning().count());
  status["payment_queue"]["card_holds_near_lapse"] = near_lapse;
  status["attention"] = attention(gate, status, *outbox, *payments, *refused, alerts, near_lapse);
  if (sources.store) {
    auto owed = sources.store->owed(now_ms - kDayMs);
    if (!owed.ok()) return owed.error();
    status["store"] = store_json(*sources.store, sources.config, *owed, steady_now);
    store_attention(status["store"], status["attention"]);
  }
  return drivers::control_ok(std::move(status));
}

}  // namespace passgate::daemon
