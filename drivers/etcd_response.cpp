#include "drivers/etcd_response.hpp"

#include <charconv>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "common/log_excerpt.hpp"
#include "drivers/etcd_base64.hpp"

namespace passgate::drivers::etcd {
namespace {

using nlohmann::json;

Error bad(std::string what) { return make_error("bad_answer", "etcd answer refused: " + std::move(what)); }

Result<json> parse_object(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  return doc;
}

// A 64-bit field: absent is 0 (the gateway omits zeros), else a string of decimal digits.
template <class Int>
Result<Int> number(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return Int{0};
  if (!it->is_string()) return bad(std::string(name) + " is not a decimal string");
  const auto& text = it->template get_ref<const std::string&>();
  Int value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  bool negative = false;
  if constexpr (std::is_signed_v<Int>) negative = value < 0;
  if (text.empty() || ec != std::errc{} || ptr != end || negative) {
    return bad(std::string(name) + " is not a decimal number in range");
  }
  return value;
}

// The base64 field `name` of `object`, decoded; absent is empty. At most `limit` bytes.
Result<std::string> bytes(const json& object, const char* name, std::size_t limit) {
  const auto it = object.find(name);
  if (it == object.end()) return std::string{};
  if (!it->is_string()) return bad(std::string(name) + " is not a string");
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > (limit + 2) / 3 * 4) return bad(std::string(name) + " exceeds " + std::to_string(limit) + " bytes");
  auto decoded = decode_base64(text);
  if (!decoded) return bad(std::string(name) + ": " + decoded.error().message);
  return std::move(decoded.value());
}

Result<Header> header_of(const json& doc) {
  const auto it = doc.find("header");
  if (it == doc.end() || !it->is_object()) return bad("no response header");
  auto cluster = number<std::uint64_t>(*it, "cluster_id");
  if (!cluster) return cluster.error();
  auto member = number<std::uint64_t>(*it, "member_id");
  if (!member) return member.error();
  auto revision = number<std::int64_t>(*it, "revision");
  if (!revision) return revision.error();
  if (*cluster == 0 || *member == 0 || *revision <= 0) return bad("the header lacks cluster_id, member_id or revision");
  return Header{*cluster, *member, *revision};
}

// The document and its header, for every answer.
struct Doc {
  json doc;
  Header header;
};
Result<Doc> open(std::string_view body) {
  auto doc = parse_object(body);
  if (!doc) return doc.error();
  auto header = header_of(*doc);
  if (!header) return header.error();
  return Doc{std::move(doc.value()), *header};
}

bool flag(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}
Status flag_shape(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it != object.end() && !it->is_boolean()) return bad(std::string(name) + " is not a boolean");
  return {};
}

// The key-values of a range answer (`kvs`, absent when none), each key checked by `fits`.
template <class Fits>
Result<std::vector<StoreKeyValue>> kvs_of(const json& range, std::size_t limit, Fits fits) {
  std::vector<StoreKeyValue> out;
  const auto it = range.find("kvs");
  if (it == range.end()) return out;
  if (!it->is_array()) return bad("kvs is not an array");
  if (it->size() > limit) return bad("more keys than asked for (" + std::to_string(it->size()) + ")");
  for (const auto& kv : *it) {
    if (!kv.is_object()) return bad("a kvs entry is not an object");
    auto key = bytes(kv, "key", kMaxValueBytes);
    if (!key) return key.error();
    if (!fits(*key)) return bad("a key that was not asked for");
    auto value = bytes(kv, "value", kMaxValueBytes);
    if (!value) return value.error();
    out.push_back({std::move(key.value()), std::move(value.value())});
  }
  return out;
}

Result<std::optional<std::string>> one_key(const json& range, const std::string& key) {
  auto kvs = kvs_of(range, 1, [&key](const std::string& k) { return k == key; });
  if (!kvs) return kvs.error();
  if (kvs->empty()) return std::optional<std::string>{};
  return std::optional<std::string>(std::move(kvs->front().value));
}

// The responses of a transaction's branch (none when absent), at most `at_most`, each a `kind`.
Result<std::vector<const json*>> branch_responses(const json& doc, const char* kind, std::size_t at_most) {
  std::vector<const json*> out;
  const auto it = doc.find("responses");
  if (it == doc.end()) return out;
  if (!it->is_array() || it->size() > at_most) {
    return bad("responses is not an array of at most " + std::to_string(at_most));
  }
  for (const auto& response : *it) {
    const auto inner = response.is_object() ? response.find(kind) : response.end();
    if (!response.is_object() || inner == response.end() || !inner->is_object()) {
      return bad(std::string("the transaction's response is not a ") + kind);
    }
    out.push_back(&*inner);
  }
  return out;
}

// The single response of a transaction's branch, or null when there is none.
Result<const json*> branch_response(const json& doc, const char* kind) {
  auto responses = branch_responses(doc, kind, 1);
  if (!responses) return responses.error();
  return responses->empty() ? nullptr : responses->front();
}

}  // namespace

Result<Answer<StoreLease>> read_lease_grant(std::string_view body, std::chrono::seconds asked) {
  auto d = open(body);
  if (!d) return d.error();
  if (d->doc.contains("error")) return bad("the grant carries an error");
  auto id = number<std::int64_t>(d->doc, "ID");
  if (!id) return id.error();
  auto ttl = number<std::int64_t>(d->doc, "TTL");
  if (!ttl) return ttl.error();
  if (*id == 0) return bad("no lease ID");
  if (*ttl < asked.count()) return bad("a lease shorter than asked for");
  return Answer<StoreLease>{d->header, {*id, std::chrono::seconds(*ttl)}};
}

Result<Answer<ClaimAnswer>> read_claim(std::string_view body, const std::string& key, const std::string& fence) {
  auto d = open(body);
  if (!d) return d.error();
  if (auto shape = flag_shape(d->doc, "succeeded"); !shape) return shape.error();
  if (flag(d->doc, "succeeded")) {
    auto put = branch_response(d->doc, "response_put");
    if (!put) return put.error();
    return Answer<ClaimAnswer>{d->header, {true, false, {}}};
  }
  auto ranges = branch_responses(d->doc, "response_range", 2);
  if (!ranges) return ranges.error();
  if (ranges->size() != 2) return bad("a failed claim without the ranges of the key and the fence");
  // Both ranges are checked against what was asked, whichever decides the answer.
  auto fenced = one_key(*(*ranges)[1], fence);
  if (!fenced) return fenced.error();
  auto holder = one_key(*(*ranges)[0], key);
  if (!holder) return holder.error();
  if (fenced->has_value()) return Answer<ClaimAnswer>{d->header, {false, true, {}}};
  // A compare failed in the same revision as the reads: without the fence, the key existed.
  if (!holder->has_value()) return bad("a failed claim whose key and fence are absent");
  return Answer<ClaimAnswer>{d->header, {false, false, std::move(**holder)}};
}

Result<Answer<ClaimTwoAnswer>> read_claim_two(std::string_view body, const std::string& first,
                                              const std::string& second, const std::array<std::string, 2>& fences) {
  auto d = open(body);
  if (!d) return d.error();
  if (auto shape = flag_shape(d->doc, "succeeded"); !shape) return shape.error();
  const bool succeeded = flag(d->doc, "succeeded");
  const std::size_t expected = succeeded ? 2 : 4;
  auto responses = branch_responses(d->doc, succeeded ? "response_put" : "response_range", expected);
  if (!responses) return responses.error();
  if (responses->size() != expected) return bad("a claim of two keys without a response for each");
  ClaimTwoAnswer claim{succeeded, {}, {}};
  if (succeeded) return Answer<ClaimTwoAnswer>{d->header, std::move(claim)};
  const std::string* keys[] = {&first, &second};
  for (std::size_t i = 0; i < 2; ++i) {
    auto holder = one_key(*(*responses)[i], *keys[i]);
    if (!holder) return holder.error();
    claim.holders[i] = std::move(holder.value());
    auto fence = one_key(*(*responses)[2 + i], fences[i]);
    if (!fence) return fence.error();
    claim.fenced[i] = fence->has_value();
  }
  // A compare failed, in the same revision as the reads: one of the four keys existed.
  if (!claim.holders[0] && !claim.holders[1] && !claim.fenced[0] && !claim.fenced[1]) {
    return bad("a failed claim of two keys with both keys and both fences absent");
  }
  return Answer<ClaimTwoAnswer>{d->header, std::move(claim)};
}

Result<Answer<std::optional<std::string>>> read_get(std::string_view body, const std::string& key) {
  auto d = open(body);
  if (!d) return d.error();
  auto value = one_key(d->doc, key);
  if (!value) return value.error();
  return Answer<std::optional<std::string>>{d->header, std::move(value.value())};
}

Result<Answer<Nothing>> read_put(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  return Answer<Nothing>{d->header, {}};
}

Result<Answer<bool>> read_delete(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  auto deleted = number<std::int64_t>(d->doc, "deleted");
  if (!deleted) return deleted.error();
  if (*deleted > 1) return bad("more than the one key deleted");
  return Answer<bool>{d->header, *deleted == 1};
}

Result<Answer<bool>> read_delete_if(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  if (auto shape = flag_shape(d->doc, "succeeded"); !shape) return shape.error();
  const bool succeeded = flag(d->doc, "succeeded");
  auto response = branch_response(d->doc, "response_delete_range");
  if (!response) return response.error();
  if (succeeded && *response == nullptr) return bad("a delete without its response");
  if (!succeeded && *response != nullptr) return bad("a response to a branch that has no request");
  return Answer<bool>{d->header, succeeded};
}

Result<Answer<bool>> read_release(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  if (auto shape = flag_shape(d->doc, "succeeded"); !shape) return shape.error();
  const bool succeeded = flag(d->doc, "succeeded");
  const auto it = d->doc.find("responses");
  const std::vector<const char*> kinds =
      succeeded ? std::vector<const char*>{"response_delete_range", "response_put"} : std::vector<const char*>{"response_put"};
  if (it == d->doc.end() || !it->is_array() || it->size() != kinds.size()) {
    return bad("a release without a response for each request of its branch");
  }
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const auto& response = (*it)[i];
    const auto inner = response.is_object() ? response.find(kinds[i]) : response.end();
    if (!response.is_object() || inner == response.end() || !inner->is_object()) {
      return bad(std::string("the release's response is not a ") + kinds[i]);
    }
  }
  return Answer<bool>{d->header, succeeded};
}

Result<Answer<std::vector<StoreKeyValue>>> read_range(std::string_view body, const std::string& prefix,
                                                              std::size_t limit) {
  auto d = open(body);
  if (!d) return d.error();
  if (auto shape = flag_shape(d->doc, "more"); !shape) return shape.error();
  if (flag(d->doc, "more")) return make_error("too_many", "more than " + std::to_string(limit) + " keys under the prefix");
  auto kvs = kvs_of(d->doc, limit, [&prefix](const std::string& k) { return k.starts_with(prefix); });
  if (!kvs) return kvs.error();
  return Answer<std::vector<StoreKeyValue>>{d->header, std::move(kvs.value())};
}

Result<Answer<std::int64_t>> read_count(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  if (d->doc.contains("kvs")) return bad("keys in a count-only answer");
  auto count = number<std::int64_t>(d->doc, "count");
  if (!count) return count.error();
  return Answer<std::int64_t>{d->header, *count};
}

Result<Answer<MemberStatus>> read_status(std::string_view body) {
  auto d = open(body);
  if (!d) return d.error();
  auto leader = number<std::uint64_t>(d->doc, "leader");
  if (!leader) return leader.error();
  const auto it = d->doc.find("version");
  if (it == d->doc.end() || !it->is_string() || it->get_ref<const std::string&>().size() > 64) {
    return bad("no version");
  }
  return Answer<MemberStatus>{d->header, {*leader, log_excerpt(it->get_ref<const std::string&>(), 64)}};
}

Error read_error(int status, std::string_view body) {
  std::string said;
  json doc = json::parse(body, nullptr, false);
  if (doc.is_object()) {
    for (const char* field : {"message", "error"}) {
      const auto it = doc.find(field);
      if (it != doc.end() && it->is_string()) {
        said = it->get<std::string>();
        break;
      }
    }
  }
  // At most 80 bytes of what the peer said (control bytes escaped: up to 4 characters each).
  const auto what = "HTTP " + std::to_string(status) + " " + log_excerpt(said.empty() ? body : said, 80);
  if (status >= 500) return make_error("unavailable", "etcd: " + what);
  if (said.find("requested lease not found") != std::string::npos) {
    return make_error("lease_not_found", "etcd: " + what);
  }
  return make_error("refused", "etcd: " + what);
}

}  // namespace passgate::drivers::etcd
