#include "tools/passgatectl/status_check.hpp"

#include <algorithm>

#include "tools/passgatectl/display_format.hpp"
#include "tools/passgatectl/exit_codes.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

struct Findings {
  std::vector<std::string> critical;
  std::vector<std::string> warning;
};

std::int64_t count_of(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string level_name(CheckLevel level) {
  switch (level) {
    case CheckLevel::ok: return "OK";
    case CheckLevel::warning: return "WARNING";
    case CheckLevel::critical: return "CRITICAL";
    case CheckLevel::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

void judge_lanes(const json& lanes, Findings& f, json& perf) {
  std::int64_t fault = 0;
  std::int64_t out = 0;
  std::int64_t lost = 0;
  for (const auto& lane : lanes) {
    const std::string name = "lane " + std::to_string(lane.value("lane", 0));
    if (lane.value("state", "") == "fault") {
      ++fault;
      f.critical.push_back(name + " in fault");
    }
    if (!lane.value("in_service", true)) {
      ++out;
      f.warning.push_back(name + " out of service");
    }
    if (lane.contains("scanner") && !lane["scanner"].value("connected", true)) {
      ++lost;
      f.warning.push_back(name + "'s scanner lost");
    }
    const json card = lane.value("card_entry", json::object());
    if (!card.empty() && !card.value("enabled", true) && card.value("reason", "") != "starting") {
      f.warning.push_back(name + " card entry off (" + card.value("reason", "") + ")");
    }
    for (const auto& alarm : lane.value("active_alarms", json::array())) {
      if (alarm != "scanner_fault") f.warning.push_back(name + " alarm " + alarm.get<std::string>());
    }
  }
  perf["lanes_fault"] = fault;
  perf["lanes_out_of_service"] = out;
  perf["scanners_lost"] = lost;
}

void judge_payments(const json& s, Findings& f, json& perf) {
  const json q = s.value("payment_queue", json::object());
  if (const auto n = count_of(q, "dead_letters"); n > 0) f.critical.push_back(std::to_string(n) + " payment dead letter(s)");
  if (const auto n = count_of(q, "quarantined_carts"); n > 0) f.critical.push_back(std::to_string(n) + " quarantined cart(s)");
  for (const auto& key : s.value("sealing_keys_in_use", json::array())) {
    if (!key.value("configured", true)) {
      f.critical.push_back(std::to_string(count_of(key, "sessions")) + " session(s) need sealing key " +
                           key.value("key_id", "") + ", which is not configured");
    }
  }
  if (s.value("gateway", json::object()).value("state", "") == "unreachable") {
    f.warning.push_back("payment gateway unreachable");
  }
  const auto oldest = q.find("oldest_age_s");
  const std::int64_t oldest_s = oldest != q.end() && oldest->is_number_integer() ? oldest->get<std::int64_t>() : 0;
  if (oldest_s > kQueueAgeWarningS) f.warning.push_back("oldest payment operation waits for " + format_age_s(oldest_s));
  if (q.contains("owed_capped")) f.warning.push_back("the sum owed is only a lower bound");
  perf["queue_outstanding"] = count_of(q, "outstanding");
  perf["queue_oldest_age"] = oldest_s;
  perf["dead_letters"] = count_of(q, "dead_letters");
  perf["quarantined_carts"] = count_of(q, "quarantined_carts");
}

}  // namespace

CheckVerdict check_status(const json& s) {
  Findings f;
  json perf = json::object();
  if (s.value("fire_alarm", false)) f.critical.push_back("fire alarm active" + fire_alarm_cause(s));
  judge_lanes(s.value("lanes", json::array()), f, perf);
  if (s.value("outbox_stuck", false)) f.critical.push_back("tracking-engine outbox stuck");
  if (s.value("wall_clock_stepped_back", false)) f.critical.push_back("the wall clock stepped back");
  if (s.value("tracking", json::object()).value("state", "") == "unreachable") {
    f.warning.push_back("tracking engine unreachable");
  }
  if (const auto n = count_of(s, "outbox_dead_letters"); n > 0) {
    f.warning.push_back(std::to_string(n) + " tracking-engine dead letter(s)");
  }
  if (const auto n = count_of(s, "sessions_refused_24h"); n > 0) {
    f.warning.push_back(std::to_string(n) + " shopper(s) refused after an offline admission");
  }
  if (s.contains("store")) {  // [store]: the store's etcd
    const json& store = s["store"];
    if (!store.value("reachable", true)) f.warning.push_back("the store's etcd does not answer");
    if (const auto n = count_of(store, "gate_id_shared"); n > 0) {
      f.critical.push_back(std::to_string(n) + " store key(s) held under this gate_id by another box");
    }
    if (const auto n = count_of(store, "double_uses_24h"); n > 0) {
      f.warning.push_back(std::to_string(n) + " double use(s) across gate arrays in 24 h");
    }
  }
  judge_payments(s, f, perf);
  perf["sessions_open"] = count_of(s, "sessions_open");
  perf["outbox"] = count_of(s, "outbox");

  CheckVerdict verdict;
  verdict.perfdata = std::move(perf);
  verdict.reasons = f.critical;
  verdict.reasons.insert(verdict.reasons.end(), f.warning.begin(), f.warning.end());
  if (!f.critical.empty()) {
    verdict.level = CheckLevel::critical;
  } else if (!f.warning.empty()) {
    verdict.level = CheckLevel::warning;
  } else {
    const auto lanes = s.value("lanes", json::array()).size();
    verdict.reasons.push_back("gate " + s.value("gate_id", "") + " of store " + s.value("store_id", "") + ": " +
                              std::to_string(lanes) + " lane(s) in service, " +
                              std::to_string(count_of(s, "sessions_open")) + " session(s) open");
  }
  return verdict;
}

CheckVerdict check_failed(const Error& error) {
  CheckVerdict verdict;
  const bool unreachable = exit_code_for(error) == kExitUnreachable;
  verdict.level = unreachable ? CheckLevel::unknown : CheckLevel::critical;
  verdict.reasons.push_back(unreachable ? "cannot reach the gate: " + error.message
                                        : "the gate cannot tell its status: " + error.message);
  return verdict;
}

std::string check_line(const CheckVerdict& verdict) {
  std::string line = "PASSGATE " + level_name(verdict.level) + " -";
  for (std::size_t i = 0; i < verdict.reasons.size(); ++i) line += (i == 0 ? " " : "; ") + verdict.reasons[i];
  std::string perf;
  for (const auto& [name, value] : verdict.perfdata.items()) {
    perf += (perf.empty() ? "" : " ") + name + "=" + value.dump() + (name.ends_with("_age") ? "s" : "");
  }
  return perf.empty() ? line : line + " | " + perf;
}

json check_json(const CheckVerdict& verdict) {
  return json{{"level", level_name(verdict.level)},
              {"exit_code", static_cast<int>(verdict.level)},
              {"reasons", verdict.reasons},
              {"perfdata", verdict.perfdata}};
}

}  // namespace passgate::ctl
