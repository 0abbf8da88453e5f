#include "crypto/key_set.hpp"

#include "crypto/base64url.hpp"
#include "crypto/key_file.hpp"
#include "crypto/log_text.hpp"
#include "crypto/public_key_coordinates.hpp"
#include "crypto/strict_json.hpp"

namespace passgate::crypto {
namespace {

using nlohmann::json;

constexpr const char* kInvalid = "invalid_key_set";

// "key 2 (kid "app-2026-11")": how errors name a key.
std::string key_label(std::size_t index, const json& jwk) {
  std::string label = "key " + std::to_string(index);
  if (jwk.is_object()) {
    const auto kid = jwk.find("kid");
    if (kid != jwk.end() && kid->is_string()) {
      label += " (kid " + quote_for_log(kid->get_ref<const std::string&>()) + ")";
    }
  }
  return label;
}

// The string member `name`, or an error saying it is missing or not a string.
Result<std::string_view> string_member(const json& jwk, const char* name, std::string_view expected) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) {
    return make_error(kInvalid, "\"" + std::string(name) + "\" is missing; expected " +
                                    std::string(expected));
  }
  if (!it->is_string()) {
    return make_error(kInvalid, "\"" + std::string(name) + "\" is a JSON " + it->type_name() +
                                    "; expected " + std::string(expected));
  }
  return std::string_view(it->get_ref<const std::string&>());
}

// An optional member that, when present, must have exactly one value ("use", "alg").
Status optional_member_is(const json& jwk, const char* name, std::string_view required) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || (it->is_string() && it->get_ref<const std::string&>() == required)) {
    return {};
  }
  const std::string got = it->is_string() ? quote_for_log(it->get_ref<const std::string&>())
                                          : "a JSON " + std::string(it->type_name());
  return make_error(kInvalid, "\"" + std::string(name) + "\" is " + got + "; expected \"" +
                                  std::string(required) + "\" (or leave it out)");
}

Result<std::string> coordinate(const json& jwk, const char* name) {
  const auto text = string_member(jwk, name, "32 bytes in unpadded base64url");
  if (!text) return text.error();
  auto bytes = decode_base64url(*text);
  if (!bytes) {
    return make_error(kInvalid, "\"" + std::string(name) + "\" is not unpadded base64url: " +
                                    bytes.error().message);
  }
  if (bytes->size() != kCoordinateBytes) {
    return make_error(kInvalid, "\"" + std::string(name) + "\" decodes to " +
                                    std::to_string(bytes->size()) + " bytes; expected " +
                                    std::to_string(kCoordinateBytes));
  }
  return bytes;
}

struct ParsedKey {
  std::string kid;
  KeySet::Key key;
};

// One JWK; errors say what is wrong, without naming the key (the caller does).
Result<ParsedKey> parse_key(const json& jwk) {
  if (!jwk.is_object()) {
    return make_error(kInvalid, std::string("is a JSON ") + jwk.type_name() +
                                    "; expected a JWK object");
  }
  if (jwk.contains("d")) {
    return make_error(kInvalid,
                      "contains the private member \"d\": the gate must hold only the issuer's "
                      "public keys; remove \"d\" (and keep the private key at the issuer)");
  }
  const auto kid = string_member(jwk, "kid", "a non-empty string naming the key");
  if (!kid) return kid.error();
  if (kid->empty()) return make_error(kInvalid, "\"kid\" is empty; expected a non-empty string");
  const auto kty = string_member(jwk, "kty", "\"EC\" (P-256) or \"OKP\" (Ed25519)");
  if (!kty) return kty.error();

  PublicKeyCoordinates coordinates;
  std::string_view curve;
  std::string_view alg;
  if (*kty == "EC") {
    coordinates.type = KeyType::ec_p256;
    curve = "P-256";
    alg = "ES256";
  } else if (*kty == "OKP") {
    coordinates.type = KeyType::ed25519;
    curve = "Ed25519";
    alg = "EdDSA";
  } else {
    return make_error(kInvalid, "\"kty\" " + quote_for_log(*kty) +
                                    " is not supported; expected \"EC\" (P-256) or \"OKP\" (Ed25519)");
  }
  const std::string expected_curve = "\"" + std::string(curve) + "\" for kty " + quote_for_log(*kty);
  const auto crv = string_member(jwk, "crv", expected_curve);
  if (!crv) return crv.error();
  if (*crv != curve) {
    return make_error(kInvalid, "\"crv\" " + quote_for_log(*crv) +
                                    " is not supported; expected " + expected_curve);
  }
  if (auto ok = optional_member_is(jwk, "use", "sig"); !ok) return ok.error();
  if (auto ok = optional_member_is(jwk, "alg", alg); !ok) return ok.error();

  auto x = coordinate(jwk, "x");
  if (!x) return x.error();
  coordinates.x = std::move(x).value();
  if (coordinates.type == KeyType::ec_p256) {
    auto y = coordinate(jwk, "y");
    if (!y) return y.error();
    coordinates.y = std::move(y).value();
  }
  auto pkey = public_key_from_coordinates(coordinates);
  if (!pkey) return make_error(kInvalid, pkey.error().message);
  return ParsedKey{std::string(*kid),
                   KeySet::Key{coordinates.type, std::shared_ptr<EVP_PKEY>(std::move(pkey).value())}};
}

}  // namespace

Result<std::shared_ptr<const KeySet>> KeySet::parse(std::string_view jwks_json) {
  constexpr std::string_view kShape = "expected a JWK Set: {\"keys\": [ {...}, ... ]}";
  const auto document = parse_strict_json(jwks_json);
  if (!document) {
    return make_error(kInvalid, "the key set is not valid JSON (" + document.error().message +
                                    "); " + std::string(kShape));
  }
  if (!document->is_object()) {
    return make_error(kInvalid, "the key set is a JSON " + std::string(document->type_name()) +
                                    "; " + std::string(kShape));
  }
  const auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) {
    return make_error(kInvalid, "the key set has no \"keys\" array; " + std::string(kShape));
  }
  if (keys->empty()) {
    return make_error(kInvalid,
                      "the key set is empty: \"keys\" must hold at least one public key");
  }
  auto set = std::make_shared<KeySet>();
  std::map<std::string, std::size_t, std::less<>> index_of_kid;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& jwk = (*keys)[i];
    auto parsed = parse_key(jwk);
    if (!parsed) return make_error(kInvalid, key_label(i, jwk) + ": " + parsed.error().message);
    const auto [first, inserted] = index_of_kid.emplace(parsed->kid, i);
    if (!inserted) {
      return make_error(kInvalid, key_label(i, jwk) + ": the kid is already used by key " +
                                      std::to_string(first->second) +
                                      "; every kid must be unique");
    }
    set->keys_.emplace(std::move(parsed->kid), std::move(parsed->key));
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

Result<std::shared_ptr<const KeySet>> KeySet::load(const std::filesystem::path& file) {
  const auto text = read_key_file(file);
  if (!text) return text.error();
  auto set = parse(*text);
  if (!set) return make_error(set.error().code, file.string() + ": " + set.error().message);
  return set;
}

const KeySet::Key* KeySet::find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

std::vector<std::string> KeySet::kids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& [kid, key] : keys_) out.push_back(kid);
  return out;
}

}  // namespace passgate::crypto
