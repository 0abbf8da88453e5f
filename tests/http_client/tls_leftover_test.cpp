// Over TLS, bytes that came after a response in the same socket read wait inside OpenSSL
// (a whole record in its read BIO), where the look at the socket before a reuse cannot see
// them. A connection holding any is closed, not pooled: the next request goes on a new
// connection and gets its own answer, not the stray one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/http_client/pool_fixture.hpp"

namespace passgate::test {

TEST_CASE("a TLS connection that received more than its response is not reused for the next request") {
  TestServerTls tls;
  Pool p(&tls.files, tls.ca.ca_file());
  REQUIRE(p.get().body == "connection 1 request 1");
  REQUIRE(p.client->idle_connections() == 1);  // a clean TLS connection is kept

  const std::string answer = http_response("200 OK", "connection 1 request 2");
  const std::string stray = http_response("200 OK", "stray");
  const bool two_records = GENERATE(true, false);
  INFO((two_records ? "the response and a stray one in two records, one socket write" : "both in one record"));
  p.server.script(1, 2, ScriptedAnswer{two_records ? std::vector{answer, stray} : std::vector{answer + stray}});
  REQUIRE(p.get().body == "connection 1 request 2");
  CHECK(p.client->idle_connections() == 0);

  const HttpReply next = p.get();
  CHECK(next.status == 200);
  CHECK(next.body == "connection 2 request 1");
  CHECK(next.sends == 1);
  CHECK(p.server.connections_accepted() == 2);
}

}  // namespace passgate::test
