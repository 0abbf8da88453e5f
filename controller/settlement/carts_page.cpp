#include "controller/settlement/carts_page.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

namespace passgate::controller {

namespace {

// Keys in the order the engine sent them, so a quarantined cart's JSON reads as it came.
using json = nlohmann::ordered_json;

// A session id longer than this is not one the gate opened (they are UUIDs).
constexpr std::size_t kMaxSessionIdBytes = 128;

Error bad(const std::string& where, const std::string& what) { return make_error("bad_feed", where + ": " + what); }

bool is_currency(const std::string& s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

const std::string* text_of(const json& cart, const char* key) {
  auto it = cart.find(key);
  return it != cart.end() && it->is_string() && !it->get_ref<const std::string&>().empty()
             ? &it->get_ref<const std::string&>()
             : nullptr;
}

// The cart's session id if it can be read, else nothing.
const std::string* session_of(const json& cart) {
  if (!cart.is_object()) return nullptr;
  const std::string* id = text_of(cart, "session_id");
  return id != nullptr && id->size() <= kMaxSessionIdBytes ? id : nullptr;
}

// The cart as the contract writes it, or what is wrong with it (the field, then why).
Result<db::FinalCart> read_cart(const json& j) {
  if (!j.is_object()) return make_error("unreadable", "expected a cart object");
  const auto wrong = [](const char* field, const char* what) {
    return make_error("unreadable", std::string(field) + ": " + what);
  };
  const std::string* session_id = session_of(j);
  if (!session_id) return wrong("session_id", "expected a non-empty string of at most 128 bytes");
  const std::string* state = text_of(j, "state");
  if (!state || *state != "final") return wrong("state", "expected \"final\"");
  const std::string* currency = text_of(j, "currency");
  if (!currency || !is_currency(*currency)) return wrong("currency", "expected an ISO 4217 code such as \"USD\"");
  auto total = j.find("total_minor");
  const bool whole = total != j.end() && total->is_number_integer() &&
                     (total->is_number_unsigned() ? total->get<std::uint64_t>() <= std::uint64_t{INT64_MAX}
                                                  : total->get<std::int64_t>() >= 0);
  if (!whole) return wrong("total_minor", "expected a non-negative integer (minor units)");
  const std::string* finalized_at = text_of(j, "finalized_at");
  if (!finalized_at) return wrong("finalized_at", "expected an RFC 3339 time");
  return db::FinalCart{*session_id, *currency, total->get<std::int64_t>(), *finalized_at};
}

// Why the gate will not charge a cart it could read, if it will not.
std::optional<db::QuarantinedCart> refused(const db::FinalCart& cart, const CartLimits& limits) {
  db::QuarantinedCart q;
  if (cart.currency != limits.currency) {
    q.reason = db::QuarantineReason::currency;
    q.detail = "currency " + cart.currency + " is not the gate's currency " + limits.currency + " (payments.currency)";
  } else if (cart.total_minor > limits.max_cart_minor) {
    q.reason = db::QuarantineReason::over_limit;
    q.detail = "total_minor " + std::to_string(cart.total_minor) + " exceeds payments.max_cart_minor " +
               std::to_string(limits.max_cart_minor);
  } else {
    return std::nullopt;
  }
  q.session_id = cart.session_id;
  q.finalized_at = cart.finalized_at;
  return q;
}

}  // namespace

Result<CartsPage> parse_carts_page(std::string_view body, const CartLimits& limits) {
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
  // The sessions named so far: carts and quarantined carts are two lists, so a later cart of a
  // session must not reach the store beside its first (it would be recorded before it).
  std::set<std::string> named;
  const auto repeat = [&](const std::string& session_id) {
    if (session_id.empty() || named.insert(session_id).second) return false;
    ++page.repeats;
    return true;
  };
  for (const json& element : *carts) {
    const auto raw = [&] { return element.dump(-1, ' ', false, json::error_handler_t::replace); };
    auto cart = read_cart(element);
    if (!cart) {
      const std::string* session_id = session_of(element);
      if (session_id && repeat(*session_id)) continue;
      page.quarantined.push_back(db::QuarantinedCart{session_id ? *session_id : std::string(),
                                                     db::QuarantineReason::unreadable, cart.error().message, raw(),
                                                     ""});
    } else if (repeat(cart->session_id)) {
      continue;
    } else if (auto quarantined = refused(*cart, limits)) {
      quarantined->raw = raw();
      page.quarantined.push_back(std::move(*quarantined));
    } else {
      page.carts.push_back(std::move(*cart));
    }
  }
  return page;
}

}  // namespace passgate::controller
