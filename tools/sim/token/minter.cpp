#include "tools/sim/token/minter.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/jws_compact.hpp"
#include "crypto/jws_signature.hpp"
#include "crypto/key_file.hpp"
#include "crypto/key_set.hpp"
#include "crypto/log_text.hpp"
#include "crypto/openssl_error.hpp"
#include "crypto/strict_json.hpp"
#include "crypto/token_rules.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;
using crypto::encode_base64url;

constexpr std::int64_t kFlawOffsetSeconds = 60;    // expired / not_yet_valid margin
constexpr std::int64_t kStaleAgeSeconds = 120;     // over the default 90 s freshness
constexpr std::int64_t kTooLongLifetime = 3600;    // bad_claims: over the 300 s limit

constexpr std::array<std::string_view, 12> kFlawNames{
    "none",          "forged",         "expired",     "not_yet_valid",
    "stale",         "wrong_issuer",   "wrong_audience", "unknown_key",
    "unsupported_alg", "malformed",    "bad_claims",  "der_signature"};

crypto::JwsAlg jws_alg(IssuerAlg alg) {
  return alg == IssuerAlg::es256 ? crypto::JwsAlg::es256 : crypto::JwsAlg::eddsa;
}

Status require_kid(const std::string& kid) {
  if (!kid.empty()) return {};
  return make_error("invalid_argument", "the kid is empty; give the key a name, e.g. app-2026-11");
}

// The key's JWS signature of `input`; OpenSSL failing here means it is out of memory.
std::string signature_of(const IssuerKey& key, std::string_view input) {
  auto signature = crypto::sign_jws(jws_alg(key.alg()), key.private_key(), input);
  if (!signature) throw std::runtime_error(signature.error().message);
  return std::move(signature).value();
}

std::string random_token_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: the system has no entropy source");
  }
  return encode_base64url(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Writes a JWK Set after checking that the gate would accept it.
Status save_checked_jwks(const std::filesystem::path& file, const json& jwks) {
  const std::string text = jwks.dump(2) + "\n";
  if (auto accepted = crypto::KeySet::parse(text); !accepted) {
    return make_error(accepted.error().code, "refusing to write " + file.string() +
                                                 ", the gate would reject it: " +
                                                 accepted.error().message);
  }
  return crypto::write_key_file(file, text, 0644);
}

}  // namespace

IssuerKey::IssuerKey(IssuerAlg alg, std::string kid, crypto::EvpPkeyPtr pkey,
                     crypto::PublicKeyCoordinates public_key)
    : alg_(alg), kid_(std::move(kid)), pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}

Result<IssuerKey> IssuerKey::generate(IssuerAlg alg, std::string kid) {
  if (auto ok = require_kid(kid); !ok) return ok.error();
  crypto::EvpPkeyPtr pkey(alg == IssuerAlg::es256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) return crypto::openssl_error("keygen_failed", "cannot generate an issuer key");
  auto coordinates = crypto::public_key_coordinates(*pkey);
  if (!coordinates) return coordinates.error();
  return IssuerKey(alg, std::move(kid), std::move(pkey), std::move(coordinates).value());
}

Result<IssuerKey> IssuerKey::load(const std::filesystem::path& private_pem, std::string kid) {
  if (auto ok = require_kid(kid); !ok) return ok.error();
  const auto pem = crypto::read_key_file(private_pem);
  if (!pem) return pem.error();
  const crypto::BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  // No passphrase prompt: issuer keys for the simulator are stored unencrypted.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  crypto::EvpPkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                              : nullptr);
  if (!pkey) {
    return crypto::openssl_error("invalid_key", private_pem.string() +
                                                    " is not an unencrypted PEM private key");
  }
  auto coordinates = crypto::public_key_coordinates(*pkey);
  if (!coordinates) {
    return make_error("invalid_key", private_pem.string() + ": " + coordinates.error().message);
  }
  const IssuerAlg alg =
      coordinates->type == crypto::KeyType::ec_p256 ? IssuerAlg::es256 : IssuerAlg::eddsa;
  return IssuerKey(alg, std::move(kid), std::move(pkey), std::move(coordinates).value());
}

Status IssuerKey::save_private_pem(const std::filesystem::path& file) const {
  const crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return crypto::openssl_error("io_error", "cannot encode the private key as PEM");
  }
  std::string pem(BIO_ctrl_pending(bio.get()), '\0');
  if (BIO_read(bio.get(), pem.data(), static_cast<int>(pem.size())) != static_cast<int>(pem.size())) {
    return crypto::openssl_error("io_error", "cannot encode the private key as PEM");
  }
  return crypto::write_key_file(file, pem, 0600);
}

json IssuerKey::public_jwk() const { return crypto::public_jwk(public_key_, kid_); }

std::string_view IssuerKey::alg_name() const { return crypto::jws_alg_name(jws_alg(alg_)); }

std::string make_jwks(const std::vector<const IssuerKey*>& keys) {
  json jwks{{"keys", json::array()}};
  for (const IssuerKey* key : keys) jwks["keys"].push_back(key->public_jwk());
  return jwks.dump(2) + "\n";
}

Status save_jwks(const std::filesystem::path& file, const std::vector<const IssuerKey*>& keys) {
  return save_checked_jwks(file, json::parse(make_jwks(keys)));
}

Status append_to_jwks(const std::filesystem::path& file, const IssuerKey& key) {
  const auto text = crypto::read_key_file(file);
  if (!text) return text.error();
  auto jwks = crypto::parse_strict_json(*text);
  if (!jwks || !jwks->is_object() || !jwks->contains("keys") || !(*jwks)["keys"].is_array()) {
    return make_error("invalid_key_set", file.string() +
                                             " is not a JWK Set {\"keys\": [...]} to add a key to" +
                                             (jwks ? "" : " (" + jwks.error().message + ")"));
  }
  json& keys = (*jwks)["keys"];
  for (const json& existing : keys) {
    if (existing.is_object() && existing.value("kid", json()) == key.kid()) {
      return make_error("invalid_key_set", file.string() + " already has a key with kid " +
                                               crypto::quote_for_log(key.kid()) +
                                               "; choose a new kid for the new key");
    }
  }
  keys.push_back(key.public_jwk());
  return save_checked_jwks(file, *jwks);
}

std::string_view token_flaw_name(TokenFlaw flaw) {
  return kFlawNames[static_cast<std::size_t>(flaw)];
}

std::optional<TokenFlaw> token_flaw_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kFlawNames.size(); ++i) {
    if (kFlawNames[i] == name) return static_cast<TokenFlaw>(i);
  }
  return std::nullopt;
}

const std::vector<std::string>& token_flaw_names() {
  static const std::vector<std::string> names(kFlawNames.begin(), kFlawNames.end());
  return names;
}

json token_header(const IssuerKey& key) {
  return json{{"alg", key.alg_name()}, {"kid", key.kid()}, {"typ", "passgate-entry+jwt"}};
}

json token_claims(const TokenSpec& spec) {
  json claims{{"iss", spec.issuer},
              {"aud", spec.audience},
              {"sub", spec.subject},
              {"iat", spec.now},
              {"exp", spec.now + spec.lifetime_s},
              {"jti", spec.token_id.empty() ? random_token_id() : spec.token_id},
              {"pay", {{"customer", spec.customer}, {"payment_method", spec.payment_method}}}};
  if (spec.group) claims["grp"] = *spec.group;
  return claims;
}

std::string sign_token(const IssuerKey& key, std::string_view header_json,
                       std::string_view claims_json) {
  auto token = crypto::make_jws_compact(jws_alg(key.alg()), key.private_key(), header_json,
                                        claims_json);
  if (!token) throw std::runtime_error(token.error().message);
  return std::move(token).value();
}

std::string mint_token(const IssuerKey& key, const TokenSpec& spec) {
  json header = token_header(key);
  json claims = token_claims(spec);
  const std::int64_t now = spec.now;
  switch (spec.flaw) {
    case TokenFlaw::expired:
      claims["exp"] = now - kFlawOffsetSeconds;
      claims["iat"] = now - kFlawOffsetSeconds - spec.lifetime_s;
      break;
    case TokenFlaw::not_yet_valid:
      claims["iat"] = now + kFlawOffsetSeconds;
      claims["exp"] = now + kFlawOffsetSeconds + spec.lifetime_s;
      break;
    case TokenFlaw::stale:
      claims["iat"] = now - kStaleAgeSeconds;
      claims["exp"] = now - kStaleAgeSeconds + crypto::token_rules::kMaxLifetimeSeconds;
      break;
    case TokenFlaw::wrong_issuer: claims["iss"] = spec.issuer + "/other"; break;
    case TokenFlaw::wrong_audience: claims["aud"] = spec.audience + "-other"; break;
    case TokenFlaw::unknown_key: header["kid"] = key.kid() + "-unknown"; break;
    case TokenFlaw::unsupported_alg: header["alg"] = "none"; break;
    case TokenFlaw::bad_claims: claims["exp"] = now + kTooLongLifetime; break;
    case TokenFlaw::none:
    case TokenFlaw::forged:
    case TokenFlaw::malformed:
    case TokenFlaw::der_signature: break;
  }
  const std::string signing_input =
      encode_base64url(header.dump()) + "." + encode_base64url(claims.dump());
  switch (spec.flaw) {
    case TokenFlaw::unsupported_alg: return signing_input + ".";
    case TokenFlaw::malformed: return signing_input;
    case TokenFlaw::forged: {
      const std::string signature = signature_of(key, signing_input);
      claims["grp"] = spec.group == 10 ? 9 : 10;  // what a shopper would tamper with
      return encode_base64url(header.dump()) + "." + encode_base64url(claims.dump()) + "." +
             encode_base64url(signature);
    }
    case TokenFlaw::der_signature: {
      auto der = crypto::ecdsa_raw_to_der(signature_of(key, signing_input));
      if (!der) throw std::runtime_error(der.error().message);
      return signing_input + "." + encode_base64url(*der);
    }
    default: return sign_token(key, header.dump(), claims.dump());
  }
}

}  // namespace passgate::sim
