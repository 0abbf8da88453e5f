// The request bodies of etcd's v3 JSON gateway (grpc-gateway over HTTP/1.1) for the
// operations EtcdClient offers: keys and values base64, 64-bit numbers as decimal strings.
// Pure functions, any thread. The targets are the gateway's paths, e.g. "/v3/kv/txn".
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "ports/store_kv.hpp"

namespace passgate::drivers::etcd {

inline constexpr const char* kLeaseGrantPath = "/v3/lease/grant";
inline constexpr const char* kRangePath = "/v3/kv/range";
inline constexpr const char* kPutPath = "/v3/kv/put";
inline constexpr const char* kDeletePath = "/v3/kv/deleterange";
inline constexpr const char* kTxnPath = "/v3/kv/txn";
inline constexpr const char* kStatusPath = "/v3/maintenance/status";

// The end of the range of every key starting with `prefix` (etcd's "range_end"): the prefix
// with its last byte below 0xff incremented and what follows dropped; "\0" (all keys) if none.
[[nodiscard]] std::string prefix_end(const std::string& prefix);

[[nodiscard]] std::string lease_grant_body(std::chrono::seconds ttl);
// Creates `key` = `value` with `lease` only if neither the key nor `fence` has ever been
// created (create revision 0); otherwise reads the key, then the fence.
[[nodiscard]] std::string claim_body(const std::string& key, const std::string& value, std::int64_t lease,
                                     const std::string& fence);
// Creates both keys, each with its value and lease, only if none of them and neither of their
// `fences` has ever been created; otherwise reads both (in the order given), then the fences.
[[nodiscard]] std::string claim_two_body(const KeyClaim& first, const KeyClaim& second,
                                         const std::array<std::string, 2>& fences);
[[nodiscard]] std::string get_body(const std::string& key);
[[nodiscard]] std::string put_body(const std::string& key, const std::string& value, std::int64_t lease);
[[nodiscard]] std::string delete_body(const std::string& key);
// Deletes `key` only if it holds `value`.
[[nodiscard]] std::string delete_if_body(const std::string& key, const std::string& value);
// Deletes `key` only if it holds `value`, then writes `fence` either way.
[[nodiscard]] std::string release_body(const std::string& key, const std::string& value, const KeyClaim& fence);
// Every key under `prefix`, at most `limit`; with `count_only`, only how many.
[[nodiscard]] std::string prefix_body(const std::string& prefix, std::size_t limit, bool count_only);

}  // namespace passgate::drivers::etcd
