// The etcd JSON gateway's answers as drivers/etcd_response.hpp reads them, and the requests
// drivers/etcd_request.hpp builds: no etcd needed.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "drivers/etcd_base64.hpp"
#include "drivers/etcd_request.hpp"
#include "drivers/etcd_response.hpp"

namespace etcd = passgate::drivers::etcd;
using passgate::drivers::decode_base64;
using passgate::drivers::encode_base64;

namespace {

const std::string kHeader =
    R"("header":{"cluster_id":"14863629432487967491","member_id":"16282489614418901883","revision":"7","raft_term":"2"})";
const std::string kKey = "/passgate/s1/tokens/t-1";
const std::string kFence = "/passgate/s1/released/sess-1/token";
const std::array<std::string, 2> kFences{kFence, "/passgate/s1/released/sess-1/shopper"};

std::string b64(const std::string& s) { return encode_base64(s); }

std::string holder_range(const std::string& key, const std::string& value) {
  return "{" + kHeader + R"(,"responses":[{"response_range":{"header":{"revision":"7"},"kvs":[{"key":")" + b64(key) +
         R"(","create_revision":"3","mod_revision":"3","version":"1","value":")" + b64(value) +
         R"(","lease":"55"}],"count":"1"}},{"response_range":{}}]})";
}

}  // namespace

TEST_CASE("base64 as etcd carries it: every byte value round-trips and malformed text is refused") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const auto part = all.substr(0, n);
    const auto decoded = decode_base64(encode_base64(part));
    REQUIRE(decoded);
    CHECK(*decoded == part);
  }
  CHECK(encode_base64("a") == "YQ==");
  CHECK(encode_base64("ab") == "YWI=");
  CHECK(*decode_base64("YWJj") == "abc");
  for (const char* bad : {"YQ=", "Y===", "YQ=a", "YR==", "Y*==", "====", "YWJj YQ=="}) {
    const auto decoded = decode_base64(bad);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == "bad_answer");
  }
}

TEST_CASE("the claim request compares the create revision with 0, puts with the lease and reads on failure") {
  const auto body = nlohmann::json::parse(etcd::claim_body(kKey, "v", 42, kFence));
  CHECK(body["compare"][0]["target"] == "CREATE");
  CHECK(body["compare"][0]["create_revision"] == "0");
  CHECK(body["compare"][0]["key"] == b64(kKey));
  CHECK(body["success"][0]["request_put"]["lease"] == "42");
  CHECK(body["success"][0]["request_put"]["value"] == b64("v"));
  CHECK(body["failure"][0]["request_range"]["key"] == b64(kKey));
  REQUIRE(body["compare"].size() == 2);
  CHECK(body["compare"][1]["key"] == b64(kFence));
  CHECK(body["compare"][1]["create_revision"] == "0");
  CHECK(body["failure"][1]["request_range"]["key"] == b64(kFence));
  CHECK(etcd::prefix_end("/a/") == "/a0");
  CHECK(etcd::prefix_end(std::string("a\xff", 2)) == "b");
  CHECK(etcd::prefix_end("") == std::string(1, '\0'));
  const auto count = nlohmann::json::parse(etcd::prefix_body("/p/", 0, true));
  CHECK(count["count_only"] == true);
  CHECK(count["range_end"] == b64("/p0"));
}

TEST_CASE("a claim answer: succeeded is claimed, a failed compare gives the holder's value") {
  const auto won = etcd::read_claim("{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{}}]})", kKey, kFence);
  REQUIRE(won);
  CHECK(won->value.claimed);
  CHECK(won->header.revision == 7);
  CHECK(won->header.cluster_id == 14863629432487967491ULL);
  const auto lost = etcd::read_claim(holder_range(kKey, R"({"gate":"b","session":"s"})"), kKey, kFence);
  REQUIRE(lost);
  CHECK_FALSE(lost->value.claimed);
  CHECK(lost->value.holder == R"({"gate":"b","session":"s"})");
  CHECK_FALSE(lost->value.fenced);
  const auto fenced = etcd::read_claim("{" + kHeader + R"(,"responses":[{"response_range":{}},{"response_range":{"kvs":[{"key":")" +
                                           b64(kFence) + R"(","value":"eA=="}]}}]})",
                                       kKey, kFence);
  REQUIRE(fenced);
  CHECK_FALSE(fenced->value.claimed);
  CHECK(fenced->value.fenced);
}

TEST_CASE("claim answers that are not what was asked for are refused as bad_answer") {
  const std::vector<std::string> bad{
      "",
      "[]",
      "not json",
      R"({"succeeded":true})",                                                              // no header
      R"({"header":{"cluster_id":"1","member_id":"2"},"succeeded":true})",                  // no revision
      R"({"header":{"cluster_id":1,"member_id":"2","revision":"3"},"succeeded":true})",     // number, not string
      R"({"header":{"cluster_id":"1","member_id":"2","revision":"-3"},"succeeded":true})",  // negative
      R"({"header":{"cluster_id":"1","member_id":"2","revision":"99999999999999999999"}})",  // out of range
      "{" + kHeader + R"(,"succeeded":"yes"})",
      "{" + kHeader + "}",                                       // failed without the holder
      holder_range("/passgate/s1/tokens/other", "v"),            // another key
      holder_range(kKey, std::string(5000, 'x')),                // value too large
      "{" + kHeader + R"(,"responses":[{"response_range":{"kvs":[{"key":"!!!!","value":"YQ=="}]}}]})",
      "{" + kHeader + R"(,"responses":[{"response_range":{}}]})",  // failed, one range
      "{" + kHeader + R"(,"responses":[{"response_range":{}},{"response_range":{}}]})",  // key and fence absent
      "{" + kHeader + R"(,"responses":[{"response_put":{}},{"response_put":{}}]})",
      // the fence there, but the key's range names another key
      "{" + kHeader + R"(,"responses":[{"response_range":{"kvs":[{"key":")" + b64("/passgate/s1/tokens/other") +
          R"(","value":"eA=="}]}},{"response_range":{"kvs":[{"key":")" + b64(kFence) + R"(","value":"eA=="}]}}]})",
  };
  for (const auto& body : bad) {
    const auto answer = etcd::read_claim(body, kKey, kFence);
    INFO(body.substr(0, 200));
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == "bad_answer");
    CHECK(answer.error().message.size() < 300);
  }
}

TEST_CASE("a claim of two keys: both compares, both puts with their leases, both read on failure") {
  const std::string other = "/passgate/s1/shoppers/p-1";
  const auto body = nlohmann::json::parse(etcd::claim_two_body({kKey, "v", 42}, {other, "w", 43}, kFences));
  REQUIRE(body["compare"].size() == 4);
  CHECK(body["compare"][2]["key"] == b64(kFences[0]));
  CHECK(body["compare"][3]["key"] == b64(kFences[1]));
  CHECK(body["compare"][1]["key"] == b64(other));
  CHECK(body["compare"][1]["target"] == "CREATE");
  CHECK(body["compare"][1]["create_revision"] == "0");
  REQUIRE(body["success"].size() == 2);
  CHECK(body["success"][0]["request_put"]["lease"] == "42");
  CHECK(body["success"][1]["request_put"]["lease"] == "43");
  CHECK(body["success"][1]["request_put"]["value"] == b64("w"));
  REQUIRE(body["failure"].size() == 4);
  CHECK(body["failure"][2]["request_range"]["key"] == b64(kFences[0]));
  CHECK(body["failure"][3]["request_range"]["key"] == b64(kFences[1]));
  CHECK(body["failure"][0]["request_range"]["key"] == b64(kKey));
  CHECK(body["failure"][1]["request_range"]["key"] == b64(other));

  const auto won = etcd::read_claim_two(
      "{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{}},{"response_put":{}}]})", kKey, other,
      kFences);
  REQUIRE(won);
  CHECK(won->value.claimed);
  const auto range = [](const std::string& key, const std::string& value) {
    return R"({"response_range":{"kvs":[{"key":")" + b64(key) + R"(","value":")" + b64(value) + R"("}],"count":"1"}})";
  };
  const std::string empty = R"({"response_range":{"header":{"revision":"7"}}})";
  const auto lost = etcd::read_claim_two(
      "{" + kHeader + R"(,"responses":[)" + empty + "," + range(other, "h") + "," + empty + "," + empty + "]}", kKey,
      other, kFences);
  REQUIRE(lost);
  CHECK_FALSE(lost->value.claimed);
  CHECK_FALSE(lost->value.holders[0]);
  CHECK(lost->value.holders[1] == "h");
  CHECK_FALSE(lost->value.fenced[0]);
  CHECK_FALSE(lost->value.fenced[1]);
  const auto fenced = etcd::read_claim_two("{" + kHeader + R"(,"responses":[)" + empty + "," + empty + "," + empty +
                                               "," + range(kFences[1], "x") + "]}",
                                           kKey, other, kFences);
  REQUIRE(fenced);
  CHECK_FALSE(fenced->value.claimed);
  CHECK_FALSE(fenced->value.fenced[0]);
  CHECK(fenced->value.fenced[1]);

  const std::vector<std::string> bad{
      "{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{}}]})",  // one put
      "{" + kHeader + R"(,"succeeded":true})",                                    // none
      "{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{}},{"response_range":{}}]})",
      "{" + kHeader + R"(,"responses":[)" + empty + "," + empty + "," + empty + "," + empty + "]}",  // all absent
      "{" + kHeader + R"(,"responses":[)" + range(other, "h") + "," + empty + "," + empty + "," + empty + "]}",  // swapped
      "{" + kHeader + R"(,"responses":[)" + empty + "," + range(other, "h") + "]}",  // no fences read
      "{" + kHeader + R"(,"responses":[)" + empty + "," + empty + "," + range(kKey, "x") + "," + empty + "]}",  // not a fence
      "{" + kHeader + R"(,"responses":[)" + empty + "," + empty + "," + range(kFences[1], "x") + "," + empty + "]}",
      "{" + kHeader + R"(,"responses":[)" + range(kKey, std::string(5000, 'x')) + "," + empty + "," + empty + "," +
          empty + "]}",
  };
  for (const auto& answer_body : bad) {
    const auto answer = etcd::read_claim_two(answer_body, kKey, other, kFences);
    INFO(answer_body.substr(0, 200));
    REQUIRE_FALSE(answer);
    CHECK(answer.error().code == "bad_answer");
  }
}

TEST_CASE("range, count, get, delete, lease and status answers are read with etcd's omitted zero fields") {
  const auto none = etcd::read_get("{" + kHeader + R"(,"count":"0"})", kKey);
  REQUIRE(none);
  CHECK_FALSE(none->value.has_value());
  const auto zero = etcd::read_count("{" + kHeader + "}");
  REQUIRE(zero);
  CHECK(zero->value == 0);
  CHECK(etcd::read_count("{" + kHeader + R"(,"count":"3"})")->value == 3);
  CHECK_FALSE(etcd::read_delete("{" + kHeader + "}")->value);
  CHECK(etcd::read_delete("{" + kHeader + R"(,"deleted":"1"})")->value);
  CHECK_FALSE(etcd::read_delete("{" + kHeader + R"(,"deleted":"2"})"));
  CHECK_FALSE(etcd::read_delete_if("{" + kHeader + "}")->value);
  CHECK(etcd::read_delete_if("{" + kHeader + R"(,"succeeded":true,"responses":[{"response_delete_range":{}}]})")->value);
  const auto release = nlohmann::json::parse(etcd::release_body(kKey, "v", {kFence, "v", 44}));
  CHECK(release["compare"][0]["target"] == "VALUE");
  REQUIRE(release["success"].size() == 2);
  CHECK(release["success"][1]["request_put"]["key"] == b64(kFence));
  CHECK(release["success"][1]["request_put"]["lease"] == "44");
  REQUIRE(release["failure"].size() == 1);
  CHECK(release["failure"][0]["request_put"]["key"] == b64(kFence));
  CHECK(etcd::read_release("{" + kHeader +
                           R"(,"succeeded":true,"responses":[{"response_delete_range":{}},{"response_put":{}}]})")
            ->value);
  CHECK_FALSE(etcd::read_release("{" + kHeader + R"(,"responses":[{"response_put":{}}]})")->value);
  CHECK_FALSE(etcd::read_release("{" + kHeader + "}"));  // the fence's put not answered
  CHECK_FALSE(etcd::read_release("{" + kHeader + R"(,"succeeded":true,"responses":[{"response_put":{}}]})"));

  const std::string two = "{" + kHeader + R"(,"kvs":[{"key":")" + b64("/p/a") + R"(","value":")" + b64("1") +
                          R"("},{"key":")" + b64("/p/b") + R"(","value":")" + b64("2") + R"("}],"count":"2"})";
  const auto range = etcd::read_range(two, "/p/", 10);
  REQUIRE(range);
  REQUIRE(range->value.size() == 2);
  CHECK(range->value[1].key == "/p/b");
  CHECK(range->value[1].value == "2");
  CHECK(etcd::read_range(two, "/q/", 10).error().code == "bad_answer");  // keys outside the prefix
  CHECK(etcd::read_range(two, "/p/", 1).error().code == "bad_answer");   // more than the limit
  CHECK(etcd::read_range("{" + kHeader + R"(,"more":true})", "/p/", 1).error().code == "too_many");

  const auto lease = etcd::read_lease_grant("{" + kHeader + R"(,"ID":"8897883951723083524","TTL":"30"})",
                                            std::chrono::seconds(30));
  REQUIRE(lease);
  CHECK(lease->value.id == 8897883951723083524LL);
  CHECK_FALSE(etcd::read_lease_grant("{" + kHeader + R"(,"ID":"5","TTL":"10"})", std::chrono::seconds(30)));
  CHECK_FALSE(etcd::read_lease_grant("{" + kHeader + R"(,"TTL":"30"})", std::chrono::seconds(30)));

  const auto status = etcd::read_status("{" + kHeader + R"(,"version":"3.4.23","leader":"11115698434029059598"})");
  REQUIRE(status);
  CHECK(status->value.leader == 11115698434029059598ULL);
  CHECK(status->value.version == "3.4.23");
}

TEST_CASE("errors from the gateway: a lost lease, a refusal and a 5xx are told apart, with an excerpt") {
  const auto lease = etcd::read_error(
      404, R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})");
  CHECK(lease.code == "lease_not_found");
  CHECK(etcd::read_error(400, R"({"message":"etcdserver: permission denied","code":7})").code == "refused");
  const auto busy = etcd::read_error(500, R"({"message":"context deadline exceeded","code":2})");
  CHECK(busy.code == "unavailable");
  CHECK(busy.message.find("context deadline exceeded") != std::string::npos);
  CHECK(etcd::read_error(503, std::string(100000, 'x')).message.size() < 300);
  // Control bytes are escaped (4 characters each) and still bounded (the fuzz target's find).
  CHECK(etcd::read_error(404, std::string(1000, '\x01')).message.size() < 400);
}
