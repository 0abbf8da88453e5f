#include "crypto/payment_sealer.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/key_fingerprint.hpp"
#include "crypto/log_text.hpp"
#include "crypto/openssl_error.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/strict_json.hpp"

namespace passgate::crypto {

struct PaymentSealer::Key {
  std::string id;
  std::array<unsigned char, kSealKeyBytes> bytes{};

  Key(std::string key_id, std::string_view key) : id(std::move(key_id)) {
    std::copy(key.begin(), key.end(), bytes.begin());
  }
  ~Key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
  // A move copies the bytes; the moved-from key wipes its copy when it is destroyed.
  Key(Key&&) noexcept = default;
  Key& operator=(Key&&) noexcept = default;
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
};

namespace {

using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<&EVP_CIPHER_CTX_free>>;

constexpr std::string_view kKeyIdLabel = "passgate payment sealing key id v1";

// Key bytes read from files, wiped when they have been copied into the sealer.
struct WipedKeys {
  std::vector<std::string> keys;
  WipedKeys() = default;
  WipedKeys(const WipedKeys&) = delete;
  WipedKeys& operator=(const WipedKeys&) = delete;
  ~WipedKeys() {
    for (auto& key : keys) OPENSSL_cleanse(key.data(), key.size());
  }
};

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// AES-256-GCM with `key` and `nonce`, sealing or opening, the associated data already fed in.
Result<EvpCipherCtxPtr> start_cipher(bool sealing, const unsigned char* key, const unsigned char* nonce,
                                     std::string_view associated_data) {
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce, sealing ? 1 : 0) != 1) {
    return openssl_error("crypto_error", "cannot set up AES-256-GCM");
  }
  int length = 0;
  if (!associated_data.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &length, bytes_of(associated_data),
                                                   static_cast<int>(associated_data.size())) != 1) {
    return openssl_error("crypto_error", "cannot authenticate the associated data");
  }
  return ctx;
}

Status check_input_size(std::string_view what, std::size_t size) {
  if (size <= kMaxSealedPlaintextBytes) return {};
  return make_error("too_large", std::string(what) + " is " + std::to_string(size) + " bytes, expected at most " +
                                     std::to_string(kMaxSealedPlaintextBytes));
}

}  // namespace

Result<std::string> seal_key_id(std::string_view key) { return key_fingerprint(kKeyIdLabel, key); }

PaymentSealer::PaymentSealer(std::vector<Key> keys) : keys_(std::move(keys)) {}
PaymentSealer::~PaymentSealer() = default;
PaymentSealer::PaymentSealer(PaymentSealer&&) noexcept = default;
PaymentSealer& PaymentSealer::operator=(PaymentSealer&&) noexcept = default;

Result<PaymentSealer> PaymentSealer::build(const std::vector<std::string>& keys, const std::vector<std::string>& labels) {
  if (keys.empty()) return make_error("wrong_size", "no payment sealing key given, expected at least one");
  std::vector<Key> sealer_keys;
  sealer_keys.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].size() != kSealKeyBytes) {
      return make_error("wrong_size", labels[i] + " is " + std::to_string(keys[i].size()) + " bytes, expected " +
                                          std::to_string(kSealKeyBytes));
    }
    auto id = seal_key_id(keys[i]);
    if (!id) return id.error();
    for (std::size_t j = 0; j < sealer_keys.size(); ++j) {
      if (sealer_keys[j].id == *id) {
        return make_error("duplicate_key", labels[i] + " holds the same payment sealing key as " + labels[j] +
                                               " (key id " + *id + "), expected each key listed once");
      }
    }
    sealer_keys.emplace_back(std::move(*id), keys[i]);
  }
  return PaymentSealer(std::move(sealer_keys));
}

Result<PaymentSealer> PaymentSealer::load(const std::filesystem::path& current_key_file,
                                          const std::vector<std::filesystem::path>& previous_key_files) {
  WipedKeys read;
  std::vector<std::string> labels;
  const auto add = [&](const std::filesystem::path& file, std::string_view what) -> Status {
    auto key = read_secret_key_file(file, what, kSealKeyBytes);
    if (!key) return key.error();
    read.keys.push_back(std::move(*key));
    labels.push_back(file.string());
    return {};
  };
  read.keys.reserve(1 + previous_key_files.size());
  if (auto ok = add(current_key_file, kSealKeyName); !ok) return ok.error();
  for (const auto& file : previous_key_files) {
    if (auto ok = add(file, kPreviousSealKeyName); !ok) return ok.error();
  }
  return build(read.keys, labels);
}

Result<PaymentSealer> PaymentSealer::from_keys(const std::vector<std::string>& keys) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < keys.size(); ++i) labels.push_back("key " + std::to_string(i + 1));
  return build(keys, labels);
}

const std::string& PaymentSealer::current_key_id() const { return keys_.front().id; }

Result<CardFingerprintHasher> PaymentSealer::card_fingerprint_hasher() const {
  WipedKeys keys;
  keys.keys.reserve(keys_.size());
  for (const Key& key : keys_) keys.keys.emplace_back(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
  return CardFingerprintHasher::from_sealing_keys(keys.keys);
}

const PaymentSealer::Key* PaymentSealer::find(std::string_view key_id) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.id == key_id; });
  return it == keys_.end() ? nullptr : &*it;
}

Result<SealedValue> PaymentSealer::seal(std::string_view plaintext, std::string_view associated_data) const {
  if (auto ok = check_input_size("the plaintext", plaintext.size()); !ok) return ok.error();
  if (auto ok = check_input_size("the associated data", associated_data.size()); !ok) return ok.error();
  const Key& key = keys_.front();
  std::vector<std::uint8_t> blob(kSealNonceBytes + plaintext.size() + kSealTagBytes);
  if (RAND_bytes(blob.data(), static_cast<int>(kSealNonceBytes)) != 1) {
    return openssl_error("crypto_error", "cannot draw a random nonce");
  }
  auto ctx = start_cipher(true, key.bytes.data(), blob.data(), associated_data);
  if (!ctx) return ctx.error();
  unsigned char* const ciphertext = blob.data() + kSealNonceBytes;
  int length = 0;
  if (!plaintext.empty() && EVP_CipherUpdate(ctx->get(), ciphertext, &length, bytes_of(plaintext),
                                             static_cast<int>(plaintext.size())) != 1) {
    return openssl_error("crypto_error", "cannot encrypt");
  }
  int final_length = 0;
  if (EVP_CipherFinal_ex(ctx->get(), ciphertext + length, &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kSealTagBytes),
                          ciphertext + plaintext.size()) != 1) {
    return openssl_error("crypto_error", "cannot finish encrypting");
  }
  return SealedValue{key.id, std::move(blob)};
}

Result<std::string> PaymentSealer::open(const SealedValue& sealed, std::string_view associated_data) const {
  const Key* key = find(sealed.key_id);
  if (key == nullptr) {
    return make_error("unknown_key", "the value was sealed with key id " + quote_for_log(sealed.key_id) +
                                         ", which is neither the current payment sealing key (" + current_key_id() +
                                         ") nor a previous one; add the file of the key that sealed it to the "
                                         "previous sealing keys");
  }
  const std::size_t overhead = kSealNonceBytes + kSealTagBytes;
  if (sealed.blob.size() < overhead || sealed.blob.size() - overhead > kMaxSealedPlaintextBytes) {
    return make_error("tampered", "the sealed value is " + std::to_string(sealed.blob.size()) +
                                      " bytes, expected a nonce, a ciphertext of at most " +
                                      std::to_string(kMaxSealedPlaintextBytes) + " bytes and a tag");
  }
  if (auto ok = check_input_size("the associated data", associated_data.size()); !ok) return ok.error();
  const std::size_t ciphertext_size = sealed.blob.size() - overhead;
  const unsigned char* const ciphertext = sealed.blob.data() + kSealNonceBytes;
  std::array<unsigned char, kSealTagBytes> tag{};
  std::copy_n(ciphertext + ciphertext_size, kSealTagBytes, tag.begin());

  auto ctx = start_cipher(false, key->bytes.data(), sealed.blob.data(), associated_data);
  if (!ctx) return ctx.error();
  std::string plaintext(ciphertext_size, '\0');
  unsigned char* const out = reinterpret_cast<unsigned char*>(plaintext.data());
  int length = 0;
  if (ciphertext_size > 0 &&
      EVP_CipherUpdate(ctx->get(), out, &length, ciphertext, static_cast<int>(ciphertext_size)) != 1) {
    return openssl_error("crypto_error", "cannot decrypt");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) != 1) {
    return openssl_error("crypto_error", "cannot set the authentication tag");
  }
  int final_length = 0;
  if (EVP_CipherFinal_ex(ctx->get(), out + length, &final_length) != 1) {
    discard_openssl_errors();  // a failed authentication is an outcome, not an OpenSSL fault
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return make_error("tampered", "the value sealed with key " + key->id +
                                      " does not authenticate: it, or the data it is bound to, is not what was sealed");
  }
  return plaintext;
}

Result<SealedValue> seal_payment_reference(const PaymentSealer& sealer, const PaymentReference& reference,
                                           std::string_view session_id) {
  const nlohmann::json fields{{"customer", reference.customer}, {"payment_method", reference.payment_method}};
  std::string text = fields.dump();
  auto sealed = sealer.seal(text, session_id);
  OPENSSL_cleanse(text.data(), text.size());
  return sealed;
}

Result<PaymentReference> open_payment_reference(const PaymentSealer& sealer, const SealedValue& sealed,
                                                std::string_view session_id) {
  auto text = sealer.open(sealed, session_id);
  if (!text) return text.error();
  const auto fields = parse_strict_json(*text);
  OPENSSL_cleanse(text->data(), text->size());
  const auto is_text = [&](const char* name) { return fields->contains(name) && (*fields)[name].is_string(); };
  if (!fields || !fields->is_object() || fields->size() != 2 || !is_text("customer") || !is_text("payment_method")) {
    return make_error("malformed", "the value sealed with key " + sealed.key_id +
                                       " opens, but is not a payment reference (an object with customer and "
                                       "payment_method)");
  }
  return PaymentReference{(*fields)["customer"].get<std::string>(), (*fields)["payment_method"].get<std::string>()};
}

}  // namespace passgate::crypto
