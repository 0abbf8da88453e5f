#include "controller/carts_page.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace passgate::controller {

namespace {

using nlohmann::json;

Error bad(const std::string& where, const std::string& what) { return make_error("bad_feed", where + ": " + what); }

bool is_currency(const std::string& s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Result<db::FinalCart> read_cart(const json& j, const std::string& where) {
  if (!j.is_object()) return bad(where, "expected an object");
  const auto text = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty()
               ? &it->get_ref<const std::string&>()
               : nullptr;
  };
  const std::string* session_id = text("session_id");
  if (!session_id) return bad(where + ".session_id", "expected a non-empty string");
  const std::string* state = text("state");
  if (!state || *state != "final") return bad(where + ".state", "expected \"final\"");
  const std::string* currency = text("currency");
  if (!currency || !is_currency(*currency)) return bad(where + ".currency", "expected an ISO 4217 code such as \"USD\"");
  auto total = j.find("total_minor");
  if (total == j.end() || !total->is_number_integer() || total->get<std::int64_t>() < 0)
    return bad(where + ".total_minor", "expected a non-negative integer (minor units)");
  const std::string* finalized_at = text("finalized_at");
  if (!finalized_at) return bad(where + ".finalized_at", "expected an RFC 3339 time");
  return db::FinalCart{*session_id, *currency, total->get<std::int64_t>(), *finalized_at};
}

}  // namespace

Result<CartsPage> parse_carts_page(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("body", "expected a JSON object");
  auto carts = j.find("carts");
  if (carts == j.end() || !carts->is_array()) return bad("carts", "expected an array");
  CartsPage page;
  auto cursor = j.find("next_cursor");
  if (cursor != j.end() && !cursor->is_null()) {
    if (!cursor->is_string()) return bad("next_cursor", "expected a string");
    page.next_cursor = cursor->get<std::string>();
  }
  if (!carts->empty() && page.next_cursor.empty()) return bad("next_cursor", "expected a cursor after carts");
  for (std::size_t i = 0; i < carts->size(); ++i) {
    auto cart = read_cart((*carts)[i], "carts[" + std::to_string(i) + "]");
    if (!cart) return cart.error();
    page.carts.push_back(std::move(*cart));
  }
  return page;
}

}  // namespace passgate::controller
