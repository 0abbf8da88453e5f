// CardFingerprintHasher (crypto/card_fingerprint.hpp): a stable keyed hash per sealing key,
// never the fingerprint itself, different under another key.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/card_fingerprint.hpp"
#include "crypto/payment_sealer.hpp"

using namespace passgate::crypto;

TEST_CASE("card fingerprint hash: stable per key, one per sealing key, and it reveals nothing of the fingerprint") {
  const std::string current(32, 'c');
  const std::string previous(32, 'p');
  auto hasher = CardFingerprintHasher::from_sealing_keys({current, previous});
  REQUIRE(hasher.ok());
  auto first = hasher->digests("fp_4242");
  REQUIRE(first.ok());
  REQUIRE(first->size() == 2);
  CHECK(first->at(0).size() == 64);
  CHECK(first->at(0).find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(first->at(0) != first->at(1));
  CHECK(first->at(0).find("4242") == std::string::npos);
  auto again = hasher->digests("fp_4242");
  REQUIRE(again.ok());
  CHECK(*again == *first);
  auto other = hasher->digests("fp_0002");
  REQUIRE(other.ok());
  CHECK(other->at(0) != first->at(0));

  // The previous key alone hashes as the previous key did; the sealer derives the same.
  auto alone = CardFingerprintHasher::from_sealing_keys({previous});
  REQUIRE(alone.ok());
  auto old_hash = alone->digests("fp_4242");
  REQUIRE(old_hash.ok());
  CHECK(old_hash->front() == first->at(1));
  auto sealer = PaymentSealer::from_keys({current, previous});
  REQUIRE(sealer.ok());
  auto from_sealer = sealer->card_fingerprint_hasher();
  REQUIRE(from_sealer.ok());
  auto same = from_sealer->digests("fp_4242");
  REQUIRE(same.ok());
  CHECK(*same == *first);

  CHECK(hasher->digests("").error().code == "malformed");
  CHECK(CardFingerprintHasher::from_sealing_keys({}).error().code == "wrong_size");
}
