// How passgatectl shows what the gate answers to an operator: amounts as "12.34 USD" (the
// currency's own minor unit: "500 JPY", "1.250 KWD"; as controller/settlement/currency.hpp
// writes them), times (Unix milliseconds) in RFC 3339, ages as "42s", "5m 12s", "3h 05m" or
// "2d 04h", the fire alarm's cause, and tables (the one table printer every listing uses).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace passgate::ctl {

// One amount in minor units of `currency`: "50.00 USD".
[[nodiscard]] std::string format_money(std::int64_t minor, std::string_view currency);
// Amounts keyed by currency code (a JSON object of minor units), in code order; "none" when empty.
[[nodiscard]] std::string format_amounts(const nlohmann::json& minor_by_currency);
// The wall clock now, in Unix milliseconds (to show how long ago the gate's times were).
[[nodiscard]] std::int64_t unix_now_ms();
// A Unix time in milliseconds as RFC 3339 UTC: "2026-11-18T10:13:20.000Z".
[[nodiscard]] std::string format_time(std::int64_t unix_ms);
// A duration in milliseconds, at most two units; a negative one (clock skew) shows as "0s".
[[nodiscard]] std::string format_age(std::int64_t age_ms);
// The same for whole seconds (the gate's JSON ages).
[[nodiscard]] std::string format_age_s(const nlohmann::json& age_s);

// ": no rig connected (sim backend)" when `reply` (status, lanes, hw inputs) carries the
// fire alarm's cause ("fire_alarm_cause": {"code", "text"}); "" when it does not.
[[nodiscard]] std::string fire_alarm_cause(const nlohmann::json& reply);

// Tables for people: rows of cells (the first row the header), columns padded to their
// widest cell, two spaces apart; the last column is not padded.
using TableRows = std::vector<std::vector<std::string>>;
void print_table(const TableRows& rows, std::ostream& out);

}  // namespace passgate::ctl
