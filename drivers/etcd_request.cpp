#include "drivers/etcd_request.hpp"

#include <nlohmann/json.hpp>

#include "drivers/etcd_base64.hpp"

namespace passgate::drivers::etcd {
namespace {

using nlohmann::json;

json range_of(const std::string& key) { return json{{"key", encode_base64(key)}}; }

json put_of(const std::string& key, const std::string& value, std::int64_t lease) {
  json put{{"key", encode_base64(key)}, {"value", encode_base64(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  return put;
}

json never_created(const std::string& key) {
  return json{{"key", encode_base64(key)}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}};
}

json holds(const std::string& key, const std::string& value) {
  return json{{"key", encode_base64(key)}, {"target", "VALUE"}, {"result", "EQUAL"}, {"value", encode_base64(value)}};
}

}  // namespace

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& last = end.back();
    if (static_cast<unsigned char>(last) < 0xFF) {
      last = static_cast<char>(static_cast<unsigned char>(last) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

std::string lease_grant_body(std::chrono::seconds ttl) {
  return json{{"TTL", std::to_string(ttl.count())}}.dump();
}

std::string claim_body(const std::string& key, const std::string& value, std::int64_t lease,
                       const std::string& fence) {
  return json{{"compare", json::array({never_created(key), never_created(fence)})},
              {"success", json::array({json{{"request_put", put_of(key, value, lease)}}})},
              {"failure", json::array({json{{"request_range", range_of(key)}}, json{{"request_range", range_of(fence)}}})}}
      .dump();
}

std::string claim_two_body(const KeyClaim& first, const KeyClaim& second, const std::array<std::string, 2>& fences) {
  json compare = json::array();
  json success = json::array();
  json failure = json::array();
  for (const KeyClaim* c : {&first, &second}) {
    compare.push_back(never_created(c->key));
    success.push_back(json{{"request_put", put_of(c->key, c->value, c->lease)}});
    failure.push_back(json{{"request_range", range_of(c->key)}});
  }
  for (const auto& fence : fences) {
    compare.push_back(never_created(fence));
    failure.push_back(json{{"request_range", range_of(fence)}});
  }
  return json{{"compare", compare}, {"success", success}, {"failure", failure}}.dump();
}

std::string get_body(const std::string& key) { return range_of(key).dump(); }

std::string put_body(const std::string& key, const std::string& value, std::int64_t lease) {
  return put_of(key, value, lease).dump();
}

std::string delete_body(const std::string& key) { return range_of(key).dump(); }

std::string delete_if_body(const std::string& key, const std::string& value) {
  return json{{"compare", json::array({holds(key, value)})},
              {"success", json::array({json{{"request_delete_range", range_of(key)}}})}}
      .dump();
}

std::string release_body(const std::string& key, const std::string& value, const KeyClaim& fence) {
  const json put{{"request_put", put_of(fence.key, fence.value, fence.lease)}};
  return json{{"compare", json::array({holds(key, value)})},
              {"success", json::array({json{{"request_delete_range", range_of(key)}}, put})},
              {"failure", json::array({put})}}
      .dump();
}

std::string prefix_body(const std::string& prefix, std::size_t limit, bool count_only) {
  json body{{"key", encode_base64(prefix)}, {"range_end", encode_base64(prefix_end(prefix))}};
  if (count_only) {
    body["count_only"] = true;
  } else {
    body["limit"] = std::to_string(limit);
  }
  return body.dump();
}

}  // namespace passgate::drivers::etcd
