// PaymentSealer: AES-256-GCM sealing of payment references at rest; round trips, tamper
// detection, key rotation, key ids, and loading keys from their files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "crypto/payment_sealer.hpp"
#include "tests/crypto/verification_outcome.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {
namespace {

namespace fs = std::filesystem;
using crypto::PaymentReference;
using crypto::PaymentSealer;
using crypto::SealedValue;

std::string key_of(char fill) { return std::string(crypto::kSealKeyBytes, fill); }

std::string counting_key() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return key;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

bool contains(const std::vector<std::uint8_t>& blob, std::string_view text) {
  return std::search(blob.begin(), blob.end(), text.begin(), text.end()) != blob.end();
}

std::string error_code(const Result<std::string>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error().code;
}

fs::path write_key(const TempDir& dir, const std::string& name, const std::string& key,
                   fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  const fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << key;
  fs::permissions(file, mode, fs::perm_options::replace);
  return file;
}

}  // namespace

TEST_CASE("a sealed value opens to its plaintext, with the current key's id", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  const SealedValue sealed = must(sealer.seal("customer and card", "session-1"));
  CHECK(sealed.key_id == sealer.current_key_id());
  CHECK(sealed.blob.size() == crypto::kSealNonceBytes + 17 + crypto::kSealTagBytes);
  CHECK_FALSE(contains(sealed.blob, "customer and card"));
  CHECK(must(sealer.open(sealed, "session-1")) == "customer and card");
}

TEST_CASE("empty plaintext and empty associated data round-trip", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  const SealedValue sealed = must(sealer.seal("", ""));
  CHECK(sealed.blob.size() == crypto::kSealNonceBytes + crypto::kSealTagBytes);
  CHECK(must(sealer.open(sealed, "")).empty());
  CHECK(error_code(sealer.open(sealed, "x")) == "tampered");
}

TEST_CASE("two seals of the same text differ", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  const SealedValue first = must(sealer.seal("same text", "session-1"));
  const SealedValue second = must(sealer.seal("same text", "session-1"));
  CHECK(first.blob != second.blob);
  CHECK(!std::equal(first.blob.begin(), first.blob.begin() + crypto::kSealNonceBytes, second.blob.begin()));
}

TEST_CASE("a flipped bit in the nonce, ciphertext or tag, or other associated data, is tampering", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  const SealedValue sealed = must(sealer.seal("customer and card", "session-1"));
  const std::size_t nonce = 0;
  const std::size_t ciphertext = crypto::kSealNonceBytes + 3;
  const std::size_t tag = sealed.blob.size() - 1;
  for (const std::size_t at : {nonce, ciphertext, tag}) {
    CAPTURE(at);
    SealedValue flipped = sealed;
    flipped.blob[at] ^= 0x01;
    const auto opened = sealer.open(flipped, "session-1");
    CHECK(error_code(opened) == "tampered");
    CHECK(opened.error().message ==
          "the value sealed with key " + sealed.key_id +
              " does not authenticate: it, or the data it is bound to, is not what was sealed");
  }
  CHECK(error_code(sealer.open(sealed, "session-2")) == "tampered");
  CHECK(must(sealer.open(sealed, "session-1")) == "customer and card");
}

TEST_CASE("a blob too short to hold a nonce and a tag is tampering", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  SealedValue sealed = must(sealer.seal("x", "s"));
  sealed.blob.resize(crypto::kSealNonceBytes + crypto::kSealTagBytes - 1);
  CHECK(error_code(sealer.open(sealed, "s")) == "tampered");
  sealed.blob.clear();
  CHECK(error_code(sealer.open(sealed, "s")) == "tampered");
}

TEST_CASE("after rotation, values sealed with a previous key still open and new ones use the new key", "[sealer]") {
  const auto before = must(PaymentSealer::from_keys({key_of('o')}));
  const SealedValue old_value = must(before.seal("sealed last month", "session-1"));

  const auto after = must(PaymentSealer::from_keys({key_of('n'), key_of('o')}));
  CHECK(after.current_key_id() != before.current_key_id());
  CHECK(must(after.open(old_value, "session-1")) == "sealed last month");
  const SealedValue new_value = must(after.seal("sealed today", "session-2"));
  CHECK(new_value.key_id == after.current_key_id());

  // Relabelling a value with another known key's id does not help an attacker.
  SealedValue relabelled = old_value;
  relabelled.key_id = after.current_key_id();
  CHECK(error_code(after.open(relabelled, "session-1")) == "tampered");
}

TEST_CASE("a value sealed with a key the sealer does not have names that key", "[sealer]") {
  const auto before = must(PaymentSealer::from_keys({key_of('o')}));
  const SealedValue old_value = must(before.seal("sealed last month", "session-1"));
  const auto only_new = must(PaymentSealer::from_keys({key_of('n')}));
  const auto opened = only_new.open(old_value, "session-1");
  CHECK(error_code(opened) == "unknown_key");
  CHECK(opened.error().message == "the value was sealed with key id \"" + before.current_key_id() +
                                      "\", which is neither the current payment sealing key (" +
                                      only_new.current_key_id() +
                                      ") nor a previous one; add the file of the key that sealed it to the previous "
                                      "sealing keys");
}

TEST_CASE("a key id is 16 hex digits of SHA-256 over a label and the key, stable across versions", "[sealer]") {
  CHECK(must(crypto::seal_key_id(key_of('\0'))) == "5c1a044503d11aff");
  CHECK(must(crypto::seal_key_id(counting_key())) == "81a2254eb6105032");
  CHECK(must(PaymentSealer::from_keys({counting_key()})).current_key_id() == "81a2254eb6105032");
}

TEST_CASE("the blob is nonce | ciphertext | tag: a value sealed by another AES-256-GCM implementation opens",
          "[sealer]") {
  // Made with Python's cryptography AESGCM: key 00..1f, nonce a0..ab, associated data "sess-1".
  const SealedValue sealed{
      "81a2254eb6105032",
      from_hex("a0a1a2a3a4a5a6a7a8a9aaab9d3a1f5836bf6dd20717a5e92519b5ad2f9d6b23b09b601cfd774be311df2a6cb7022f90cb0069"
               "1f2ff15bab6808e7a63172352940ad1b0f32ceae4813928fc0d318c8dccdca")};
  const auto sealer = must(PaymentSealer::from_keys({counting_key()}));
  const PaymentReference reference = must(crypto::open_payment_reference(sealer, sealed, "sess-1"));
  CHECK(reference.customer == "cus_123");
  CHECK(reference.payment_method == "pm_card_visa");
}

TEST_CASE("keys must be 32 bytes, at least one, each given once", "[sealer]") {
  const auto none = PaymentSealer::from_keys({});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "wrong_size");
  const auto short_key = PaymentSealer::from_keys({key_of('a'), std::string(31, 'b')});
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.error().code == "wrong_size");
  CHECK(short_key.error().message == "key 2 is 31 bytes, expected 32");
  const auto twice = PaymentSealer::from_keys({key_of('a'), key_of('b'), key_of('a')});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == "duplicate_key");
  CHECK(twice.error().message == "key 3 holds the same payment sealing key as key 1 (key id " +
                                     must(crypto::seal_key_id(key_of('a'))) + "), expected each key listed once");
}

TEST_CASE("a sealer loads its current and previous keys from files only their owner may read", "[sealer]") {
  TempDir dir;
  const auto current = write_key(dir, "seal.key", key_of('n'));
  const auto previous = write_key(dir, "seal-2025.key", key_of('o'));
  const auto sealer = must(PaymentSealer::load(current, {previous}));
  CHECK(sealer.current_key_id() == must(crypto::seal_key_id(key_of('n'))));
  const auto old_sealer = must(PaymentSealer::from_keys({key_of('o')}));
  CHECK(must(sealer.open(must(old_sealer.seal("old", "s")), "s")) == "old");

  const auto open_file = write_key(dir, "open.key", key_of('p'),
                                   fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  const auto too_open = PaymentSealer::load(current, {previous, open_file});
  REQUIRE_FALSE(too_open.ok());
  CHECK(too_open.error().code == "too_open");
  CHECK(too_open.error().message == open_file.string() +
                                        ": a previous payment sealing key is readable by group or others (mode "
                                        "0604); run: chmod 600 " +
                                        open_file.string());

  const auto short_file = write_key(dir, "short.key", std::string(16, 'x'));
  const auto wrong_size = PaymentSealer::load(short_file, {});
  REQUIRE_FALSE(wrong_size.ok());
  CHECK(wrong_size.error().code == "wrong_size");

  const auto missing = PaymentSealer::load(dir / "absent.key", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "missing");

  const auto copy = write_key(dir, "copy.key", key_of('n'));
  const auto duplicate = PaymentSealer::load(current, {copy});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(duplicate.error().code == "duplicate_key");
  CHECK(duplicate.error().message.find(copy.string() + " holds the same payment sealing key as " + current.string()) == 0);
}

TEST_CASE("a payment reference round-trips, bound to its session", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  const PaymentReference reference{"cus_Q\"uote\\d \xc3\xa9", "pm_card_visa"};
  const SealedValue sealed = must(crypto::seal_payment_reference(sealer, reference, "session-1"));
  CHECK_FALSE(contains(sealed.blob, "pm_card_visa"));
  const PaymentReference opened = must(crypto::open_payment_reference(sealer, sealed, "session-1"));
  CHECK(opened.customer == reference.customer);
  CHECK(opened.payment_method == reference.payment_method);

  const auto moved = crypto::open_payment_reference(sealer, sealed, "session-2");
  REQUIRE_FALSE(moved.ok());
  CHECK(moved.error().code == "tampered");
}

TEST_CASE("a sealed value that is not a payment reference is malformed, without its text in the message", "[sealer]") {
  const auto sealer = must(PaymentSealer::from_keys({key_of('a')}));
  for (const auto* text : {"cus_secret", "{\"customer\":\"cus_secret\"}",
                           "{\"customer\":\"cus_secret\",\"payment_method\":7}",
                           "{\"customer\":\"cus_secret\",\"payment_method\":\"pm\",\"extra\":1}"}) {
    CAPTURE(text);
    const auto opened = crypto::open_payment_reference(sealer, must(sealer.seal(text, "s")), "s");
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == "malformed");
    CHECK(opened.error().message.find("cus_secret") == std::string::npos);
  }
}

}  // namespace passgate::test
