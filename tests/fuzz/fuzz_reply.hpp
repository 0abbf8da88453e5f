// For the fuzz targets of the Stripe-compatible clients' answer checks (gateway, terminal): one
// fuzz input as an HTTP reply. Byte 0 is the selector (its low bits pick what the target asks;
// 0x10 adds Idempotent-Replayed: true, 0x20 a Retry-After), bytes 1-2 the HTTP status
// (big-endian, modulo 1000), the rest the body up to a NUL, after which comes the Retry-After
// value. A status of 0 is "no response" with the body as its reason. And the promise every
// client makes about an outcome's texts, for the targets to check.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_reply.hpp"

namespace passgate::fuzz {

// The reply, sent once; nothing for an input shorter than 3 bytes.
inline std::optional<HttpReply> reply_from_input(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return std::nullopt;
  const std::uint8_t selector = data[0];
  HttpReply reply;
  reply.status = ((data[1] << 8) | data[2]) % 1000;
  reply.sends = 1;
  const std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  const std::size_t nul = rest.find('\0');
  reply.body = std::string(rest.substr(0, nul));
  if ((selector & 0x10) != 0) reply.headers.emplace_back("Idempotent-Replayed", "true");
  if ((selector & 0x20) != 0 && nul != std::string_view::npos) {
    reply.headers.emplace_back("Retry-After", std::string(rest.substr(nul + 1)));
  }
  if (reply.status == 0) reply.error = reply.body;
  return reply;
}

// The longest text an outcome may carry.
inline constexpr std::size_t kMaxOutcomeText = 4096;

// Whether `text` is fit for a log line: bounded, no control characters, none of `secrets`
// (empty ones ignored).
inline bool clean_text(std::string_view text, std::initializer_list<std::string_view> secrets) {
  if (text.size() > kMaxOutcomeText) return false;
  if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return false;
  return std::none_of(secrets.begin(), secrets.end(), [text](std::string_view secret) {
    return !secret.empty() && text.find(secret) != std::string_view::npos;
  });
}

}  // namespace passgate::fuzz
