// Reloading the status page's users file through a real passgated (TLS, a users file): on
// `passgatectl reload` a changed password counts at once (the remembered login forgotten) and
// a new user gets in; on SIGHUP a bad file (a hash too costly to check on the event loop) is
// logged with its file, line, user and what to do, and the users in force are kept.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <string>

#include "drivers/http_client.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/status_page/basic_auth.hpp"
#include "tests/status_page/cheap_hash.hpp"
#include "tests/status_page/page_port.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace passgate::scenario {
namespace {

using Catch::Matchers::Contains;

void write_users(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

TEST_CASE("a reload reads the status page's users file again; a bad one is logged and the users kept") {
  test::TempDir files;
  test::TestPki pki(files.path(), "page");
  const auto pair = pki.issue_server("page", {"localhost"}, {"127.0.0.1"});
  const auto users = files.path() / "status-users";
  write_users(users, "tech:" + test::cheap_hash("first password") + "\n");
  GateHarness gate(GateOptions{.status_page = "listen = \"127.0.0.1:0\"\ntls_cert = \"" + pair.cert.string() +
                                              "\"\ntls_key = \"" + pair.key.string() + "\"\nusers_file = \"" +
                                              users.string() + "\"\n"});
  drivers::HttpClientOptions options;
  options.base_url = "https://127.0.0.1:" + std::to_string(test::page_port(gate, true));
  options.tls.ca_bundle = pki.ca_file();
  auto client = drivers::HttpClient::create(gate.io(), std::move(options));
  REQUIRE(client.ok());
  const auto status_as = [&](const std::string& user, const std::string& password) {
    drivers::HttpRequestSpec spec;
    spec.target = "/status.json";
    spec.headers.emplace_back("Authorization", test::basic_authorization(user, password));
    const auto reply = test::await_reply<HttpReply>(gate.io(), [&](std::function<void(HttpReply)> done) {
      (*client)->request(spec, std::chrono::seconds(5), std::move(done));
    });
    REQUIRE(reply);
    return reply->status;
  };
  REQUIRE(status_as("tech", "first password") == 200);

  write_users(users, "tech:" + test::cheap_hash("second password") + "\nana:" + test::cheap_hash("ana's password") +
                         "\n");
  const auto reload = gate.ctl({"reload"});
  INFO(reload.output);
  REQUIRE(reload.status == 0);
  CHECK_THAT(reload.output, Contains("in force now: status_page.users_file (its users)"));
  CHECK_THAT(gate.gated().output(), Contains("event=status_page_users_reloaded users=2 changed=true"));
  CHECK(status_as("tech", "first password") == 401);  // remembered before, forgotten now
  CHECK(status_as("tech", "second password") == 200);
  CHECK(status_as("ana", "ana's password") == 200);

  // bcrypt at cost 15 would hold the loop for seconds at each check: the file is refused.
  write_users(users, "tech:" + test::cheap_hash("third password") +
                         "\nana:$2b$15$dmG2PkSa92pmDZymN399beLJazcyJdm1gjjWJOFOt6uGJKv9Q6hEu\n");
  gate.gated().signal(SIGHUP);
  REQUIRE(gate.gated().wait_for_output("event=status_page_users_not_reloaded", kReactLimit));
  CHECK_THAT(gate.gated().output(),
             Contains(users.string() + ":2: the hash of ana costs too much to check on the event loop (bcrypt cost 15; "
                                       "at most cost 11): re-create the user with passgatectl status-page add-user ana"));
  CHECK(status_as("tech", "third password") == 401);
  CHECK(status_as("tech", "second password") == 200);
}

}  // namespace
}  // namespace passgate::scenario
