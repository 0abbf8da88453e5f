// The simulated issuer (tools/sim/token/minter): every flaw gives the denial it stands for;
// key files, JWK Set files and rotation.
#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>

#include "crypto/key_file.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/token_sim/minted_tokens.hpp"

namespace passgate::test {
namespace {

using sim::IssuerAlg;
using sim::IssuerKey;
using sim::TokenFlaw;

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

unsigned mode_of(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

TEST_CASE("minter: each flaw is denied with the reason it stands for", "[minter]") {
  const auto alg = GENERATE(IssuerAlg::es256, IssuerAlg::eddsa);
  const auto key = must(IssuerKey::generate(alg, "k1"));
  const auto keys = must(crypto::KeySet::parse(sim::make_jwks({&key})));
  for (const auto flaw : {TokenFlaw::none, TokenFlaw::forged, TokenFlaw::expired,
                          TokenFlaw::not_yet_valid, TokenFlaw::stale, TokenFlaw::wrong_issuer,
                          TokenFlaw::wrong_audience, TokenFlaw::unknown_key,
                          TokenFlaw::unsupported_alg, TokenFlaw::malformed, TokenFlaw::bad_claims,
                          TokenFlaw::der_signature}) {
    const auto v = verify_minted(sim::mint_token(key, mint_spec(flaw)), *keys);
    const bool bad_signature = flaw == TokenFlaw::forged || flaw == TokenFlaw::der_signature;
    const std::string expected = flaw == TokenFlaw::none ? "accepted"
                                 : bad_signature         ? "bad_signature"
                                                         : std::string(sim::token_flaw_name(flaw));
    INFO(key.alg_name() << " " << sim::token_flaw_name(flaw) << ": " << detail(v));
    CHECK(outcome(v) == expected);
  }
}

TEST_CASE("minter: spec fields reach the claims, random token ids differ", "[minter]") {
  const auto key = must(IssuerKey::generate(IssuerAlg::eddsa, "k1"));
  const auto keys = must(crypto::KeySet::parse(sim::make_jwks({&key})));
  auto spec = mint_spec();
  spec.subject = "shp_8f2c";
  spec.token_id = "Qk9fQ2xZb3pQd3F3";
  spec.customer = "cus_Nz1";
  spec.payment_method = "pm_card_mastercard";
  spec.group = 3;
  spec.lifetime_s = 300;
  const auto& c = accepted(verify_minted(sim::mint_token(key, spec), *keys));
  CHECK(c.subject == "shp_8f2c");
  CHECK(c.token_id == "Qk9fQ2xZb3pQd3F3");
  CHECK(c.pay.customer == "cus_Nz1");
  CHECK(c.pay.payment_method == "pm_card_mastercard");
  CHECK(c.group == 3);
  CHECK(c.issued_at == kMintedAt);
  CHECK(c.expires_at == kMintedAt + 300);
  const auto first = accepted(verify_minted(sim::mint_token(key, mint_spec()), *keys)).token_id;
  const auto second = accepted(verify_minted(sim::mint_token(key, mint_spec()), *keys)).token_id;
  CHECK(first.size() == 22);
  CHECK(first != second);
}

TEST_CASE("minter: a saved private key loads back with its alg and signs for its JWKS",
          "[minter]") {
  TempDir dir;
  const auto alg = GENERATE(IssuerAlg::es256, IssuerAlg::eddsa);
  const auto key = must(IssuerKey::generate(alg, "k1"));
  const auto pem = dir / "issuer.pem";
  REQUIRE(key.save_private_pem(pem).ok());
  CHECK(mode_of(pem) == 0600);
  const auto loaded = must(IssuerKey::load(pem, "k1"));
  CHECK(loaded.alg() == alg);
  CHECK(loaded.public_jwk() == key.public_jwk());
  const auto keys = must(crypto::KeySet::parse(sim::make_jwks({&key})));
  CHECK(outcome(verify_minted(sim::mint_token(loaded, mint_spec()), *keys)) == "accepted");
}

TEST_CASE("minter: public JWKs hold no private member", "[minter]") {
  const auto ec_key = must(IssuerKey::generate(IssuerAlg::es256, "ec"));
  const auto ed_key = must(IssuerKey::generate(IssuerAlg::eddsa, "ed"));
  const auto ec = ec_key.public_jwk();
  CHECK(ec["kty"] == "EC");
  CHECK(ec["crv"] == "P-256");
  CHECK(ec.contains("y"));
  const auto ed = ed_key.public_jwk();
  CHECK(ed["kty"] == "OKP");
  CHECK(ed["crv"] == "Ed25519");
  CHECK_FALSE(ed.contains("y"));
  CHECK_THAT(sim::make_jwks({&ec_key, &ed_key}), !Catch::Contains("\"d\""));
}

TEST_CASE("minter: load errors", "[minter]") {
  TempDir dir;
  CHECK(IssuerKey::load(dir / "missing.pem", "k").error().code == "io_error");
  write(dir / "junk.pem", "not a key");
  const auto junk = IssuerKey::load(dir / "junk.pem", "k");
  REQUIRE_FALSE(junk.ok());
  CHECK_THAT(junk.error().message, Catch::Contains("junk.pem") && Catch::Contains("PEM"));
  const auto key = must(IssuerKey::generate(IssuerAlg::es256, "k"));
  REQUIRE(key.save_private_pem(dir / "k.pem").ok());
  CHECK(IssuerKey::load(dir / "k.pem", "").error().code == "invalid_argument");
  CHECK(IssuerKey::generate(IssuerAlg::eddsa, "").error().code == "invalid_argument");
  // A P-384 key is not an issuer key.
  const crypto::EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  REQUIRE(p384);
  crypto::BioPtr bio(BIO_new_file((dir / "p384.pem").c_str(), "w"));
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), p384.get(), nullptr, nullptr, 0, nullptr, nullptr) ==
          1);
  bio.reset();
  const auto p384_key = IssuerKey::load(dir / "p384.pem", "k");
  REQUIRE_FALSE(p384_key.ok());
  CHECK_THAT(p384_key.error().message, Catch::Contains("expected P-256"));
}

TEST_CASE("minter: JWKS files, rotation by appending", "[minter]") {
  TempDir dir;
  const auto file = dir / "issuer.jwks.json";
  const auto first = must(IssuerKey::generate(IssuerAlg::es256, "app-1"));
  const auto second = must(IssuerKey::generate(IssuerAlg::eddsa, "app-2"));
  REQUIRE(sim::save_jwks(file, {&first}).ok());
  CHECK(mode_of(file) == 0644);
  REQUIRE(sim::append_to_jwks(file, second).ok());
  CHECK(must(crypto::KeySet::load(file))->kids() == std::vector<std::string>{"app-1", "app-2"});

  const auto again = sim::append_to_jwks(file, second);
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.error().message, Catch::Contains("already has a key with kid \"app-2\""));

  write(file, "[]");
  CHECK_THAT(sim::append_to_jwks(file, second).error().message, Catch::Contains("not a JWK Set"));
  CHECK(sim::append_to_jwks(dir / "missing.json", second).error().code == "io_error");
  CHECK_FALSE(sim::save_jwks(file, {}).ok());  // the gate refuses an empty set
  CHECK(sim::save_jwks(dir / "no-such-dir" / "x.json", {&first}).error().code == "io_error");
}

TEST_CASE("minter: flaw names round-trip", "[minter]") {
  CHECK(sim::token_flaw_names().size() == 12);
  for (const auto& name : sim::token_flaw_names()) {
    const auto flaw = sim::token_flaw_from_name(name);
    REQUIRE(flaw.has_value());
    CHECK(sim::token_flaw_name(*flaw) == name);
  }
  CHECK_FALSE(sim::token_flaw_from_name("tampered").has_value());
}

TEST_CASE("key files: written atomically with an exact mode, read back", "[minter]") {
  TempDir dir;
  const auto file = dir / "key.txt";
  const mode_t old_umask = ::umask(077);
  const bool written = crypto::write_key_file(file, "first", 0640).ok();
  ::umask(old_umask);
  REQUIRE(written);
  CHECK(mode_of(file) == 0640);
  REQUIRE(crypto::write_key_file(file, "second", 0600).ok());
  CHECK(mode_of(file) == 0600);
  CHECK(must(crypto::read_key_file(file)) == "second");
  CHECK_FALSE(std::filesystem::exists(dir / "key.txt.tmp"));
}

}  // namespace
}  // namespace passgate::test
