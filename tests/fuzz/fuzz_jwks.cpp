// libFuzzer target: arbitrary bytes as a key set file through KeySet::parse. Besides
// crashes and sanitizer reports, it aborts when a parsed set breaks what KeySet promises
// (never empty, every listed kid found).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/key_set.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto set = passgate::crypto::KeySet::parse(text);
  if (!set) {
    if (set.error().message.empty()) __builtin_trap();
    return 0;
  }
  if ((*set)->size() == 0) __builtin_trap();
  for (const auto& kid : (*set)->kids()) {
    if ((*set)->find(kid) == nullptr) __builtin_trap();
  }
  return 0;
}
