#include "tools/sim/gateway/report.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>
#include <utility>

namespace passgate::sim {
namespace {

using nlohmann::json;

bool live(const GatewayIntent& intent) {
  return intent.status == GatewayIntentStatus::requires_capture || intent.status == GatewayIntentStatus::succeeded;
}

std::int64_t held(const GatewayIntent& intent) {
  return intent.status == GatewayIntentStatus::requires_capture ? intent.amount_capturable : 0;
}

// Why this session's intents count as a duplicate charge, if they do.
json duplicate_of(const std::string& session_id, const std::vector<const GatewayIntent*>& intents) {
  std::map<std::string, std::vector<const GatewayIntent*>> live_by_op;
  std::vector<const GatewayIntent*> collecting;
  for (const GatewayIntent* intent : intents) {
    if (live(*intent)) live_by_op[intent->op].push_back(intent);
    if (intent->amount_received > 0) collecting.push_back(intent);
  }
  json reasons = json::array();
  std::vector<std::string> ids;
  const auto note = [&reasons, &ids](const std::vector<const GatewayIntent*>& group, const std::string& what) {
    reasons.push_back(std::to_string(group.size()) + " " + what);
    for (const GatewayIntent* intent : group) {
      if (std::find(ids.begin(), ids.end(), intent->id) == ids.end()) ids.push_back(intent->id);
    }
  };
  for (const auto& [op, group] : live_by_op) {
    if (group.size() > 1) note(group, "live " + op + " intents");
  }
  const bool hold_and_rest = collecting.size() == 2 && collecting[0]->op == "tpreauth" && collecting[1]->op == "charge";
  if (collecting.size() > 1 && !hold_and_rest) note(collecting, "collecting intents");
  if (reasons.empty()) return nullptr;
  return json{{"session_id", session_id}, {"reasons", std::move(reasons)}, {"intents", std::move(ids)}};
}

json card_present_json(const std::vector<GatewayIntent>& intents, const std::vector<Reader>& readers) {
  std::int64_t count = 0, open = 0, still_held = 0, captured = 0, voided = 0, abandoned = 0, declined = 0,
               incremented = 0, armed = 0, on_readers = 0;
  for (const auto& intent : intents) {
    if (!intent.card_present) continue;
    const CardPresentIntent& card = *intent.card_present;
    ++count;
    declined += card.declines;
    incremented += card.increments > 0 ? 1 : 0;
    switch (intent.status) {
      case GatewayIntentStatus::requires_capture:
        ++open;
        still_held += intent.amount_capturable;
        break;
      case GatewayIntentStatus::succeeded: ++captured; break;
      case GatewayIntentStatus::canceled: ++(card.authorized ? voided : abandoned); break;
      case GatewayIntentStatus::requires_payment_method:
      case GatewayIntentStatus::requires_confirmation: ++armed; break;
    }
  }
  for (const auto& reader : readers) {
    const std::string armed_id = reader.armed_intent();
    const bool ours = std::any_of(intents.begin(), intents.end(),
                                  [&armed_id](const GatewayIntent& i) { return i.id == armed_id; });
    on_readers += ours ? 1 : 0;
  }
  return json{{"intents", count},       {"open_holds", open},       {"held", still_held},
              {"captured", captured},   {"voided", voided},         {"abandoned", abandoned},
              {"declined", declined},   {"incremented", incremented}, {"armed", armed},
              {"on_readers", on_readers}};
}

json readers_json(const std::vector<Reader>& readers) {
  json rows = json::array();
  for (const auto& reader : readers) {
    const json shown = reader_json(reader);
    const json& action = shown.at("action");
    json intent;
    if (!action.is_null()) intent = action.at(action.at("type").get<std::string>()).at("payment_intent");
    rows.push_back({{"id", reader.id},
                    {"status", shown.at("status")},
                    {"action", action.is_null() ? json() : action.at("type")},
                    {"action_status", action.is_null() ? json() : action.at("status")},
                    {"payment_intent", intent},
                    {"faults", reader.faults_json()}});
  }
  return rows;
}

}  // namespace

json ledger_report_json(const std::vector<GatewayIntent>& intents, const std::vector<Reader>& readers) {
  json rows = json::array();
  std::vector<std::string> session_order;
  std::map<std::string, std::vector<const GatewayIntent*>> by_session;
  for (const auto& intent : intents) {
    rows.push_back({{"id", intent.id},
                    {"session_id", intent.session_id},
                    {"gate_id", intent.gate_id},
                    {"op", intent.op},
                    {"amount", intent.amount},
                    {"amount_capturable", intent.amount_capturable},
                    {"amount_received", intent.amount_received},
                    {"currency", intent.currency},
                    {"status", to_string(intent.status)}});
    auto& mine = by_session[intent.session_id];
    if (mine.empty()) session_order.push_back(intent.session_id);
    mine.push_back(&intent);
  }

  json sessions = json::array();
  json totals = json::object();
  json duplicates = json::array();
  for (const auto& session_id : session_order) {
    const auto& mine = by_session[session_id];
    std::vector<std::string> currencies;  // first seen first
    for (const GatewayIntent* intent : mine) {
      if (std::find(currencies.begin(), currencies.end(), intent->currency) == currencies.end()) {
        currencies.push_back(intent->currency);
      }
    }
    for (const auto& currency : currencies) {
      std::int64_t collected = 0;
      std::int64_t still_held = 0;
      std::int64_t count = 0;
      for (const GatewayIntent* intent : mine) {
        if (intent->currency != currency) continue;
        collected += intent->amount_received;
        still_held += held(*intent);
        ++count;
      }
      sessions.push_back({{"session_id", session_id},
                          {"currency", currency},
                          {"collected", collected},
                          {"held", still_held},
                          {"intents", count}});
      json& total = totals[currency];
      if (total.is_null()) total = {{"collected", 0}, {"held", 0}, {"sessions", 0}, {"intents", 0}};
      total["collected"] = total["collected"].get<std::int64_t>() + collected;
      total["held"] = total["held"].get<std::int64_t>() + still_held;
      total["sessions"] = total["sessions"].get<std::int64_t>() + 1;
      total["intents"] = total["intents"].get<std::int64_t>() + count;
    }
    if (json duplicate = duplicate_of(session_id, mine); !duplicate.is_null())
      duplicates.push_back(std::move(duplicate));
  }
  return json{{"intents", std::move(rows)},
              {"sessions", std::move(sessions)},
              {"totals", std::move(totals)},
              {"duplicates", std::move(duplicates)},
              {"card_present", card_present_json(intents, readers)},
              {"readers", readers_json(readers)}};
}

std::string format_ledger_table(const json& ledger) {
  std::ostringstream out;
  out << std::left << std::setw(38) << "session" << std::setw(9) << "op" << std::right << std::setw(10) << "amount"
      << "  " << std::left << std::setw(10) << "currency" << std::setw(24) << "status" << std::right << std::setw(10)
      << "received" << std::setw(10) << "held" << '\n';
  for (const auto& row : ledger.at("intents")) {
    const std::int64_t still_held =
        row.at("status") == "requires_capture" ? row.at("amount_capturable").get<std::int64_t>() : 0;
    out << std::left << std::setw(38) << row.at("session_id").get<std::string>() << std::setw(9)
        << row.at("op").get<std::string>() << std::right << std::setw(10) << row.at("amount").get<std::int64_t>()
        << "  " << std::left << std::setw(10) << row.at("currency").get<std::string>() << std::setw(24)
        << row.at("status").get<std::string>() << std::right << std::setw(10)
        << row.at("amount_received").get<std::int64_t>() << std::setw(10) << still_held << '\n';
  }
  out << ledger.at("intents").size() << " intents\n\n";

  out << "totals (minor units)\n"
      << std::left << std::setw(10) << "currency" << std::right << std::setw(14) << "collected" << std::setw(14)
      << "held" << std::setw(10) << "sessions" << std::setw(10) << "intents" << '\n';
  for (const auto& [currency, total] : ledger.at("totals").items()) {
    out << std::left << std::setw(10) << currency << std::right << std::setw(14)
        << total.at("collected").get<std::int64_t>() << std::setw(14) << total.at("held").get<std::int64_t>()
        << std::setw(10) << total.at("sessions").get<std::int64_t>() << std::setw(10)
        << total.at("intents").get<std::int64_t>() << '\n';
  }

  const auto& duplicates = ledger.at("duplicates");
  out << "\nduplicates: " << duplicates.size() << '\n';
  for (const auto& duplicate : duplicates) {
    out << "  " << duplicate.at("session_id").get<std::string>() << ':';
    for (const auto& reason : duplicate.at("reasons")) out << ' ' << reason.get<std::string>() << ';';
    for (const auto& id : duplicate.at("intents")) out << ' ' << id.get<std::string>();
    out << '\n';
  }
  if (const auto card = ledger.find("card_present"); card != ledger.end() && card->at("intents") != 0) {
    out << "\ncard-present: " << card->at("intents") << " intents, " << card->at("open_holds") << " open holds ("
        << card->at("held") << " held), " << card->at("captured") << " captured, " << card->at("voided")
        << " voided, " << card->at("abandoned") << " abandoned, " << card->at("declined") << " declined, "
        << card->at("incremented") << " incremented, " << card->at("armed") << " armed, " << card->at("on_readers")
        << " on readers\n";
  }
  if (const auto readers = ledger.find("readers"); readers != ledger.end()) {
    for (const auto& reader : *readers) {
      out << "reader " << reader.at("id").get<std::string>() << ' ' << reader.at("status").get<std::string>();
      if (!reader.at("action").is_null()) {
        out << ' ' << reader.at("action").get<std::string>() << ' ' << reader.at("action_status").get<std::string>()
            << ' ' << reader.at("payment_intent").get<std::string>();
      }
      for (const auto& fault : reader.at("faults")) out << " [" << fault.get<std::string>() << ']';
      out << '\n';
    }
  }
  if (const auto requests = ledger.find("requests"); requests != ledger.end()) {
    out << "requests: " << requests->at("total") << " total, " << requests->at("replayed") << " replayed, "
        << requests->at("conflicts") << " conflicts (409), " << requests->at("faulted") << " faulted, "
        << requests->at("dropped") << " dropped";
    if (const int lied = requests->value("lied", 0); lied > 0) out << ", " << lied << " lied";
    if (const int limited = requests->value("rate_limited", 0); limited > 0) out << ", " << limited << " rate limited";
    out << "\n";
  }
  return out.str();
}

}  // namespace passgate::sim
