// libFuzzer target: arbitrary etcd JSON gateway answers through drivers/etcd_response.hpp, as
// EtcdClient reads them. Input: byte 0 picks the operation (a claim, read as one of one key and
// as one of two; get, delete, delete-if, range, count, lease grant, status, or an error
// status), the rest is the body. Besides
// crashes and sanitizer reports, it aborts when a read breaks a promise: a value longer than
// kMaxValueBytes, a key other than the one asked for (or outside the prefix), a range longer
// than its limit, a revision not above 0, a lease shorter than asked, or an error message
// that is not bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drivers/etcd_response.hpp"

namespace {

namespace etcd = passgate::drivers::etcd;

const std::string kKey = "/passgate/s/tokens/t";
const std::string kOtherKey = "/passgate/s/shoppers/p";
const std::string kFence = "/passgate/s/released/x/token";
const std::array<std::string, 2> kFences{kFence, "/passgate/s/released/x/shopper"};
const std::string kPrefix = "/passgate/s/occupancy/";
constexpr std::size_t kLimit = 4;

void require(bool promise) {
  if (!promise) std::abort();
}

template <class Answer>
void check_header(const Answer& answer) {
  if (answer) require(answer->header.revision > 0 && answer->header.cluster_id != 0);
  if (!answer) require(answer.error().message.size() < 400);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 9) {
    case 0: {
      const auto a = etcd::read_claim(body, kKey, kFence);
      check_header(a);
      if (a && !a->value.claimed) require(a->value.holder.size() <= etcd::kMaxValueBytes);
      const auto two = etcd::read_claim_two(body, kKey, kOtherKey, kFences);
      check_header(two);
      if (two && !two->value.claimed) {
        require(two->value.holders[0] || two->value.holders[1] || two->value.fenced[0] || two->value.fenced[1]);
        for (const auto& holder : two->value.holders) require(!holder || holder->size() <= etcd::kMaxValueBytes);
      }
      break;
    }
    case 1: {
      const auto a = etcd::read_get(body, kKey);
      check_header(a);
      if (a && a->value) require(a->value->size() <= etcd::kMaxValueBytes);
      break;
    }
    case 2: check_header(etcd::read_delete(body)); break;
    case 3:
      check_header(etcd::read_delete_if(body));
      check_header(etcd::read_release(body));
      break;
    case 4: {
      const auto a = etcd::read_range(body, kPrefix, kLimit);
      check_header(a);
      if (a) {
        require(a->value.size() <= kLimit);
        for (const auto& kv : a->value) require(kv.key.starts_with(kPrefix) && kv.value.size() <= etcd::kMaxValueBytes);
      }
      break;
    }
    case 5: {
      const auto a = etcd::read_count(body);
      check_header(a);
      if (a) require(a->value >= 0);
      break;
    }
    case 6: {
      const auto a = etcd::read_lease_grant(body, std::chrono::seconds(30));
      check_header(a);
      if (a) require(a->value.id != 0 && a->value.ttl >= std::chrono::seconds(30));
      break;
    }
    case 7: check_header(etcd::read_status(body)); break;
    default: {
      const auto e = etcd::read_error(400 + (size % 200), body);
      require(e.message.size() < 400 && !e.code.empty());
      break;
    }
  }
  return 0;
}
