// Reads the answers of etcd's v3 JSON gateway and checks them against what was asked: a
// JSON object with a response header (cluster, member, revision > 0), 64-bit numbers as
// decimal strings, keys and values base64, false and zero fields absent. Every key read back
// must be the one asked for (or under the prefix asked for), every value at most
// kMaxValueBytes, a range at most its limit. Pure functions, any thread; the fuzz target
// tests/fuzz/fuzz_etcd_response.cpp drives them with arbitrary bytes.
// Error codes: "bad_answer" (the message says what is wrong, quoting at most an excerpt),
// "too_many" (a range with more keys than its limit); read_error's are in its comment.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "ports/store_kv.hpp"

namespace passgate::drivers::etcd {

inline constexpr std::size_t kMaxValueBytes = 4096;

struct Header {
  std::uint64_t cluster_id = 0;
  std::uint64_t member_id = 0;
  std::int64_t revision = 0;
};

template <class T>
struct Answer {
  Header header;
  T value;
};
struct Nothing {};

// One member's view (/v3/maintenance/status).
struct MemberStatus {
  std::uint64_t leader = 0;  // the leader's member id; 0: no leader known
  std::string version;       // etcd's, e.g. "3.4.23"
};

[[nodiscard]] Result<Answer<StoreLease>> read_lease_grant(std::string_view body, std::chrono::seconds asked);
// The put answered, or the key and the fence read back (the fence there, or else the key).
[[nodiscard]] Result<Answer<ClaimAnswer>> read_claim(std::string_view body, const std::string& key,
                                                     const std::string& fence);
// Both puts answered, or both keys and their fences read back (`first`'s, `second`'s, then
// the fences in the same order: at least one of the four there).
[[nodiscard]] Result<Answer<ClaimTwoAnswer>> read_claim_two(std::string_view body, const std::string& first,
                                                            const std::string& second,
                                                            const std::array<std::string, 2>& fences);
[[nodiscard]] Result<Answer<std::optional<std::string>>> read_get(std::string_view body, const std::string& key);
[[nodiscard]] Result<Answer<Nothing>> read_put(std::string_view body);
// Whether the key was deleted (a single key: 0 or 1).
[[nodiscard]] Result<Answer<bool>> read_delete(std::string_view body);
// Whether the compare held (and so the key was deleted).
[[nodiscard]] Result<Answer<bool>> read_delete_if(std::string_view body);
// Whether the compare held (the key deleted, then the fence put), or not (the fence put).
[[nodiscard]] Result<Answer<bool>> read_release(std::string_view body);
[[nodiscard]] Result<Answer<std::vector<StoreKeyValue>>> read_range(std::string_view body,
                                                                            const std::string& prefix,
                                                                            std::size_t limit);
[[nodiscard]] Result<Answer<std::int64_t>> read_count(std::string_view body);
[[nodiscard]] Result<Answer<MemberStatus>> read_status(std::string_view body);

// The error an HTTP status other than 200 stands for, with the gateway's message (an
// excerpt): "lease_not_found" (the lease expired or was revoked), "refused" (any other 4xx),
// "unavailable" (5xx: no leader, no quorum, the request timed out inside etcd).
[[nodiscard]] Error read_error(int status, std::string_view body);

}  // namespace passgate::drivers::etcd
