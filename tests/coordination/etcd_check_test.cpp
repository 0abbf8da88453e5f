// check-config's check of the store's TLS files (drivers/etcd_check.hpp): the store CA must
// vouch for this box's certificate as a TLS client, and the key must be the certificate's.
#include <catch2/catch.hpp>

#include "drivers/etcd_check.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

using passgate::drivers::check_store_tls;
using Catch::Matchers::Contains;

TEST_CASE("store TLS files: a client certificate of the store CA passes; others are refused with the reason") {
  passgate::test::TempDir dir;
  passgate::test::TestPki store(dir.path(), "store");
  passgate::test::TestPki foreign(dir.path(), "foreign");
  const auto north = store.issue_client("north", "north");
  CHECK(check_store_tls({store.ca_file(), north.cert, north.key}));

  const auto intruder = foreign.issue_client("intruder", "intruder");
  const auto not_ours = check_store_tls({store.ca_file(), intruder.cert, intruder.key});
  REQUIRE_FALSE(not_ours);
  CHECK_THAT(not_ours.error().message, Contains("does not vouch for") && Contains("intruder"));

  const auto server_only = store.issue_server("member", {}, {"127.0.0.1"});
  const auto wrong_use = check_store_tls({store.ca_file(), server_only.cert, server_only.key});
  REQUIRE_FALSE(wrong_use);
  CHECK_THAT(wrong_use.error().message, Contains("as a TLS client"));

  const auto mismatched = check_store_tls({store.ca_file(), north.cert, intruder.key});
  REQUIRE_FALSE(mismatched);
  CHECK(mismatched.error().code == "tls_file");

  const auto no_cert = check_store_tls({store.ca_file(), {}, {}});
  REQUIRE_FALSE(no_cert);
  CHECK_THAT(no_cert.error().message, Contains("no client certificate"));
}
