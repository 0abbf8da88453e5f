// HttpReply: what an HTTP request to a backend (the tracking engine, the payment gateway)
// came back with: the status and body of the response, its headers, or why there was none.
// Made by drivers/http_client.hpp; read by the ports' users above it.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace passgate {

struct HttpReply {
  // 0 when there was no HTTP response at all (connect failure, timeout, reset, TLS error).
  int status = 0;
  std::string body;
  std::string error;  // why there was no response, for logs
  // The response's headers, in order. The explicit {} lets callers brace-initialize just
  // the members above without a missing-initializer warning.
  std::vector<std::pair<std::string, std::string>> headers{};
  // How many times the request was written to a connection: 2 when a reused keep-alive
  // connection turned out to be closed, or answered 408, and the request was sent again on a
  // fresh one; 0 when it never got that far (e.g. the connection could not be made).
  int sends = 0;

  // The first response header called `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
    const auto same = [name](const std::string& key) {
      return std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      });
    };
    for (const auto& [key, value] : headers)
      if (same(key)) return value;
    return std::nullopt;
  }
  // Connection failure, timeout or 5xx: "unreachable" (docs/interfaces/tracking-engine.md#how-an-answer-is-read).
  [[nodiscard]] bool unreachable() const { return status == 0 || status >= 500; }
};

}  // namespace passgate
