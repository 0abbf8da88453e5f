// The etcd client against fake members (canned_member.hpp): what no real member sends is
// refused without being believed, and the next member is tried when one fails.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "drivers/etcd_base64.hpp"
#include "drivers/etcd_client.hpp"
#include "tests/coordination/canned_member.hpp"
#include "tests/support/run_until.hpp"

using namespace passgate;
using std::chrono::milliseconds;

namespace {

std::string get_answer(const std::string& cluster, const std::string& revision) {
  return R"({"header":{"cluster_id":")" + cluster + R"(","member_id":"5","revision":")" + revision +
         R"("},"kvs":[{"key":")" + drivers::encode_base64("/k") + R"(","value":")" + drivers::encode_base64("v") +
         R"("}],"count":"1"})";
}

std::unique_ptr<drivers::EtcdClient> client_of(boost::asio::io_context& io, std::vector<std::string> endpoints) {
  drivers::EtcdClientOptions options;
  options.endpoints = std::move(endpoints);
  options.max_answer_bytes = 4096;
  auto made = drivers::EtcdClient::create(io, options);
  REQUIRE(made);
  return std::move(made.value());
}

Result<std::optional<std::string>> get(boost::asio::io_context& io, drivers::EtcdClient& client) {
  auto got = test::await_reply<Result<std::optional<std::string>>>(
      io, [&](auto done) { client.get("/k", milliseconds(2000), std::move(done)); });
  REQUIRE(got);
  return std::move(*got);
}

}  // namespace

TEST_CASE("etcd client: an oversized answer is refused and the next member asked; a malformed one is bad_answer") {
  boost::asio::io_context io;
  test::CannedMember big(io);
  test::CannedMember garbled(io);
  big.will_answer(get_answer("1", "2") + std::string(8000, ' '));
  garbled.will_answer(R"({"header":{"cluster_id":"1","member_id":"5","revision":"2"},"kvs":"nope"})");
  auto client = client_of(io, {big.url(), garbled.url()});
  const auto answer = get(io, *client);
  REQUIRE_FALSE(answer);
  CHECK(answer.error().code == "bad_answer");
  CHECK(big.requests() == 1);
  CHECK(garbled.requests() == 1);
}

TEST_CASE("etcd client: with every member failing the call is unavailable, naming what each did") {
  boost::asio::io_context io;
  test::CannedMember big(io);
  test::CannedMember busy(io);
  big.will_answer(std::string(8000, 'x'));
  busy.will_answer(R"({"message":"etcdserver: request timed out","code":14})", 503);
  auto client = client_of(io, {big.url(), busy.url()});
  const auto answer = get(io, *client);
  REQUIRE_FALSE(answer);
  CHECK(answer.error().code == "unavailable");
  CHECK_THAT(answer.error().message, Catch::Contains("4096") && Catch::Contains("request timed out"));
}

TEST_CASE("etcd client: an answer from another cluster, or behind a revision already seen, is refused") {
  boost::asio::io_context io;
  test::CannedMember member(io);
  auto client = client_of(io, {member.url()});
  member.will_answer(get_answer("1", "10"));
  const auto first = get(io, *client);
  REQUIRE(first);
  CHECK(**first == "v");
  member.will_answer(get_answer("2", "11"));
  const auto other = get(io, *client);
  REQUIRE_FALSE(other);
  CHECK_THAT(other.error().message, Catch::Contains("another cluster"));
  member.will_answer(get_answer("1", "9"));
  const auto stale = get(io, *client);
  REQUIRE_FALSE(stale);
  CHECK_THAT(stale.error().message, Catch::Contains("behind the cluster"));
  member.will_answer(R"({"message":"etcdserver: permission denied","code":7})", 403);
  const auto refused = get(io, *client);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "refused");
}
