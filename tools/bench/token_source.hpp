// TokenSource: fresh entry tokens for the scan benchmarks, each for its own shopper
// (prefix + a running number), signed by the issuer key the gate trusts and minted for the
// moment it is asked for (outside any timing).
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "common/time_format.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::bench {

class TokenSource {
 public:
  // Throws std::runtime_error if the key cannot be loaded.
  TokenSource(const std::string& key_file, const std::string& kid, std::string issuer, std::string audience,
              std::string shopper_prefix)
      : key_(load(key_file, kid)),
        issuer_(std::move(issuer)),
        audience_(std::move(audience)),
        prefix_(std::move(shopper_prefix)) {}

  // A token for the next shopper, minted now.
  [[nodiscard]] std::string next() {
    sim::TokenSpec spec;
    spec.issuer = issuer_;
    spec.audience = audience_;
    spec.subject = prefix_ + std::to_string(minted_++);
    spec.now = unix_seconds(std::chrono::system_clock::now());
    return sim::mint_token(key_, spec);
  }

 private:
  static sim::IssuerKey load(const std::string& key_file, const std::string& kid) {
    auto key = sim::IssuerKey::load(key_file, kid);
    if (!key.ok()) throw std::runtime_error(key.error().message);
    return std::move(key).value();
  }

  sim::IssuerKey key_;
  std::string issuer_, audience_, prefix_;
  long long minted_ = 0;
};

}  // namespace passgate::bench
