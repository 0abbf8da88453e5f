#include "drivers/terminal_objects.hpp"

#include <utility>

namespace passgate::drivers {

using nlohmann::json;

// A member that is an object, or null.
const json* object_member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  return found != object.end() && found->is_object() ? &*found : nullptr;
}

// A reference that may come as an id or as the expanded object with an id.
std::string id_member(const json& object, const char* name) {
  if (const json* expanded = object_member(object, name)) return text_member(*expanded, "id");
  return text_member(object, name);
}

// A card field kept whole (a fingerprint, a payment method id): printable, no spaces, bounded.
bool usable_card_field(const std::string& value) {
  return value.size() <= kMaxCardField && !first_unprintable(value).has_value();
}

Result<ReaderRead> parse_reader(const json& object, const std::string& intent_id) {
  if (!object.is_object()) return make_error("bad_reader", "is not a JSON object");
  if (object.contains("object") && text_member(object, "object") != "terminal.reader")
    return make_error("bad_reader", "is not a terminal.reader object");
  ReaderRead out;
  out.id = text_member(object, "id");
  if (out.id.empty()) return make_error("bad_reader", "has no \"id\"");
  out.status = text_member(object, "status");
  const json* action = object_member(object, "action");
  if (action == nullptr) {
    if (object.contains("action") && !object.at("action").is_null())
      return make_error("bad_reader", "has an \"action\" that is not an object");
    return out;
  }
  out.has_action = true;
  out.action.type = text_member(*action, "type");
  out.action.status = text_member(*action, "status");
  if (out.action.type.empty()) return make_error("bad_reader", "has an action without \"type\"");
  out.failure_code = text_member(*action, "failure_code");
  out.failure_message = text_member(*action, "failure_message");
  if (const json* api_error = object_member(*action, "api_error")) {
    out.api_error = GatewayError{text_member(*api_error, "type"), text_member(*api_error, "code"),
                                 text_member(*api_error, "decline_code"), text_member(*api_error, "message")};
  }
  if (const json* detail = object_member(*action, out.action.type.c_str())) {
    const std::string named = id_member(*detail, "payment_intent");
    out.action.on_this_intent = !intent_id.empty() && named == intent_id;
    if (const json* method = object_member(*detail, "payment_method")) {
      if (const json* card = object_member(*method, "card_present")) out.fingerprint = text_member(*card, "fingerprint");
    }
  }
  return out;
}

// latest_charge.payment_method_details.card_present, when the charge is expanded.
Result<std::optional<TerminalCard>> parse_card(const json& intent) {
  const json* charge = object_member(intent, "latest_charge");
  if (charge == nullptr) return std::optional<TerminalCard>{};
  const json* details = object_member(*charge, "payment_method_details");
  const json* present = details == nullptr ? nullptr : object_member(*details, "card_present");
  if (present == nullptr) return std::optional<TerminalCard>{};
  TerminalCard card;
  card.fingerprint = text_member(*present, "fingerprint");
  card.generated_card = text_member(*present, "generated_card");
  card.brand = text_member(*present, "brand");
  card.last4 = text_member(*present, "last4");
  if (!usable_card_field(card.fingerprint) || !usable_card_field(card.generated_card) || card.brand.size() > 32 ||
      card.last4.size() > 4) {
    return make_error("bad_card", "has a card_present field that is too long or not printable");
  }
  const auto supported = present->find("incremental_authorization_supported");
  card.incremental_authorization_supported =
      supported != present->end() && supported->is_boolean() && supported->get<bool>();
  if (present->contains("capture_before") && !present->at("capture_before").is_null()) {
    auto before = integer_member(*present, "capture_before");
    if (!before) return make_error("bad_card", "card_present " + before.error().message);
    card.capture_before = *before;
  }
  return std::optional<TerminalCard>{std::move(card)};
}

std::string implausible_capture_before(const json& intent, std::int64_t capture_before) {
  constexpr std::int64_t kLastUnixSecond = 253402300799;  // 9999-12-31T23:59:59Z
  const auto unix_seconds = [](std::int64_t t) { return t > 0 && t <= kLastUnixSecond; };
  const auto dates = [](const json* object) {
    return object != nullptr && object->contains("created") && !object->at("created").is_null();
  };
  const std::string shown = "capture_before " + std::to_string(capture_before);
  if (!unix_seconds(capture_before)) return shown + " is not a Unix time in seconds";
  const json* charge = object_member(intent, "latest_charge");
  const json* dated = dates(charge) ? charge : &intent;
  if (!dates(dated)) return {};
  const auto created = integer_member(*dated, "created");
  if (!created || !unix_seconds(*created)) {
    return shown + " cannot be dated: the hold's created is not a Unix time in seconds";
  }
  const std::string made = std::string(dated == charge ? "its charge" : "the PaymentIntent") + " was created at " +
                           std::to_string(*created);
  if (capture_before <= *created) return shown + " is not after the hold was made: " + made;
  if (capture_before - *created > kMaxHoldWindowS) {
    return shown + " is more than " + std::to_string(kMaxHoldWindowS / 86400) + " days after the hold was made (" +
           made + "): not a hold's deadline in Unix seconds";
  }
  return {};
}

void collect_card_references(const json& value, int depth, std::vector<std::string>& out) {
  if (depth > kMaxCardDepth || !value.is_structured()) return;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (value.is_object() && (it.key() == "fingerprint" || it.key() == "generated_card") && it->is_string()) {
      if (!it->get_ref<const std::string&>().empty()) out.push_back(it->get<std::string>());
    }
    collect_card_references(*it, depth + 1, out);
  }
}

}  // namespace passgate::drivers
