// Reloading the status page's users file through a real passgated (TLS, a users file): on
// `passgatectl reload` a changed password counts at once (the remembered login forgotten, the
// event stream it opened closed), an unchanged user keeps watching and a new user gets in; a
// bad file (a hash too costly to check on the event loop) is named with its file, line, user
// and what to do in the reload's answer (exit 1) and the log, and the users in force are kept;
// on SIGHUP too; with a config file that is refused the users file is still reloaded, and the
// answer says so; a file without users is applied, and nobody gets in; at start too.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <iterator>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

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

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void write_users(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

// The page's event stream over TLS for one login, read as a browser's EventSource would.
class TlsViewer {
 public:
  TlsViewer(asio::io_context& io, asio::ssl::context& tls, std::uint16_t port, const std::string& authorization)
      : io_(io), stream_(io, tls) {
    // passgated is another process: connecting and the handshake may block here.
    stream_.next_layer().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    stream_.handshake(asio::ssl::stream_base::client);
    asio::write(stream_, asio::buffer("GET /events HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\n\r\n"));
  }
  // Reads until `text` has come, and drops what was read up to it (true), or until the stream
  // ended (false).
  bool read_until(const std::string& text) {
    std::optional<boost::system::error_code> result;
    std::size_t size = 0;
    asio::async_read_until(stream_, asio::dynamic_buffer(received_), text,
                           [&](const boost::system::error_code& ec, std::size_t n) {
                             result = ec;
                             size = n;
                           });
    REQUIRE(test::run_until(io_, [&] { return result.has_value(); }));
    if (*result) return false;
    received_.erase(0, size);
    return true;
  }

 private:
  asio::io_context& io_;
  asio::ssl::stream<tcp::socket> stream_;
  std::string received_;
};

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

  asio::ssl::context viewer_tls(asio::ssl::context::tls_client);
  viewer_tls.load_verify_file(pki.ca_file().string());
  viewer_tls.set_verify_mode(asio::ssl::verify_peer);
  const std::string unchanged_hash = test::cheap_hash("unchanged password");
  write_users(users, "tech:" + test::cheap_hash("first password") + "\nkeeper:" + unchanged_hash + "\n");
  const auto first_reload = gate.ctl({"reload"});
  INFO(first_reload.output);
  REQUIRE(first_reload.status == 0);
  // Each watches: tech's stream is to end when tech's password changes, keeper's to go on.
  TlsViewer tech_viewer(gate.io(), viewer_tls, test::page_port(gate, true),
                        test::basic_authorization("tech", "first password"));
  REQUIRE(tech_viewer.read_until("data: "));
  TlsViewer keeper_viewer(gate.io(), viewer_tls, test::page_port(gate, true),
                          test::basic_authorization("keeper", "unchanged password"));
  REQUIRE(keeper_viewer.read_until("data: "));

  const std::string second_users = "tech:" + test::cheap_hash("second password") + "\nana:" +
                                   test::cheap_hash("ana's password") + "\nkeeper:" + unchanged_hash + "\n";
  write_users(users, second_users);
  const auto reload = gate.ctl({"reload"});
  INFO(reload.output);
  REQUIRE(reload.status == 0);
  CHECK_THAT(reload.output, Contains("in force now: status_page.users_file (its users)"));
  CHECK_THAT(gate.gated().output(),
             Contains("event=status_page_users_reloaded users=3 changed=true users_gone=1 viewers_closed=1"));
  CHECK_FALSE(tech_viewer.read_until("never sent"));  // closed by the daemon
  CHECK(status_as("tech", "first password") == 401);  // remembered before, forgotten now
  CHECK(status_as("tech", "second password") == 200);
  CHECK(status_as("ana", "ana's password") == 200);
  CHECK(status_as("keeper", "unchanged password") == 200);

  // bcrypt at cost 15 would hold the loop for seconds at each check: the file is refused, and
  // the reload's answer says so.
  write_users(users, "tech:" + test::cheap_hash("third password") +
                         "\nana:$2b$15$dmG2PkSa92pmDZymN399beLJazcyJdm1gjjWJOFOt6uGJKv9Q6hEu\n");
  const std::string refused = users.string() + ":2: the hash of ana costs too much to check on the event loop "
                                               "(bcrypt cost 15; at most cost 11): re-create the user with "
                                               "passgatectl status-page add-user ana";
  const auto bad = gate.ctl({"reload"});
  INFO(bad.output);
  CHECK(bad.status == 1);
  CHECK_THAT(bad.output, Contains("NOT applied"));
  CHECK_THAT(bad.output, Contains(refused));
  CHECK_THAT(gate.gated().output(), Contains("event=status_page_users_not_reloaded"));
  CHECK_THAT(gate.gated().output(), Contains(refused));
  gate.gated().signal(SIGHUP);  // SIGHUP logs it the same way
  REQUIRE(gate.gated().wait_for_output_where(
      [](const std::string& log) {
        std::size_t n = 0;
        for (auto at = log.find("event=status_page_users_not_reloaded"); at != std::string::npos;
             at = log.find("event=status_page_users_not_reloaded", at + 1)) {
          ++n;
        }
        return n == 2;
      },
      kReactLimit));
  CHECK(status_as("tech", "third password") == 401);
  CHECK(status_as("tech", "second password") == 200);

  // A config file with a problem is not applied, but the users file is reloaded all the same,
  // and the reload's answer says which way it went.
  std::string config_text;
  {
    std::ifstream in(gate.config_file());
    config_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string policy = "[offline]\npolicy = \"";
  REQUIRE(config_text.find(policy) != std::string::npos);
  std::ofstream(gate.config_file(), std::ios::trunc)
      << std::string(config_text).insert(config_text.find(policy) + policy.size(), "sometimes-");
  write_users(users, second_users + "carl:" + test::cheap_hash("carl's password") + "\n");
  const auto refused_config = gate.ctl({"reload"});
  INFO(refused_config.output);
  CHECK(refused_config.status == 1);
  CHECK_THAT(refused_config.output, Contains("NOT reloaded") && Contains("sometimes") &&
                                        Contains("in force now all the same: status_page.users_file (its users)"));
  CHECK(status_as("carl", "carl's password") == 200);
  write_users(users, "tech:" + test::cheap_hash("third password") +
                         "\nana:$2b$15$dmG2PkSa92pmDZymN399beLJazcyJdm1gjjWJOFOt6uGJKv9Q6hEu\n");
  const auto both_refused = gate.ctl({"reload"});
  INFO(both_refused.output);
  CHECK(both_refused.status == 1);
  CHECK_THAT(both_refused.output, Contains("NOT reloaded") && Contains("NOT applied") && Contains(refused));
  std::ofstream(gate.config_file(), std::ios::trunc) << config_text;

  // A file without users is applied: nobody gets in, and every stream ends.
  write_users(users, "# nobody for now\n");
  const auto emptied = gate.ctl({"reload"});
  INFO(emptied.output);
  CHECK(emptied.status == 0);
  CHECK_THAT(gate.gated().output(), Contains("event=status_page_users_reloaded users=0 changed=true users_gone=4"));
  CHECK(status_as("tech", "second password") == 401);
  CHECK(status_as("keeper", "unchanged password") == 401);
  CHECK_FALSE(keeper_viewer.read_until("never sent"));
}

TEST_CASE("a users file without users starts the page, says so, and lets nobody in") {
  test::TempDir files;
  test::TestPki pki(files.path(), "page");
  const auto pair = pki.issue_server("page", {"localhost"}, {"127.0.0.1"});
  const auto users = files.path() / "status-users";
  write_users(users, "# nobody yet\n");
  GateHarness gate(GateOptions{.status_page = "listen = \"127.0.0.1:0\"\ntls_cert = \"" + pair.cert.string() +
                                              "\"\ntls_key = \"" + pair.key.string() + "\"\nusers_file = \"" +
                                              users.string() + "\"\n"});
  CHECK_THAT(gate.gated().output(), Contains("event=status_page_no_users"));
  drivers::HttpClientOptions options;
  options.base_url = "https://127.0.0.1:" + std::to_string(test::page_port(gate, true));
  options.tls.ca_bundle = pki.ca_file();
  auto client = drivers::HttpClient::create(gate.io(), std::move(options));
  REQUIRE(client.ok());
  drivers::HttpRequestSpec spec;
  spec.target = "/status.json";
  spec.headers.emplace_back("Authorization", test::basic_authorization("tech", "any password"));
  const auto reply = test::await_reply<HttpReply>(gate.io(), [&](std::function<void(HttpReply)> done) {
    (*client)->request(spec, std::chrono::seconds(5), std::move(done));
  });
  REQUIRE(reply);
  CHECK(reply->status == 401);
}

}  // namespace
}  // namespace passgate::scenario
