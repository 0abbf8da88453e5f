// [payments]: the gateway's URL and secret key, the payment sealing keys (only their owner
// may use them; a sealing key is 32 bytes), amounts, queue pacing and the offline risk limits.
#include <catch2/catch.hpp>

#include "crypto/payment_sealer.hpp"
#include "tests/config/config_fixture.hpp"

using namespace std::chrono_literals;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::at_value;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

namespace fs = std::filesystem;

const std::string kSealLine = "seal_key_file = \"seal.key\"\n";  // line 30, the last
const std::string kApiKeyLine = "api_key_file = \"gateway.key\"\n";  // line 29
const std::string kSealKey(passgate::crypto::kSealKeyBytes, 'k');
constexpr fs::perms kWorldReadable =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

// The minimal config with `lines` added to [payments], from line 31 on.
std::string with_payments_lines(std::string_view lines) {
  return replaced(kMinimalConfig, kSealLine, kSealLine + std::string(lines) + "\n");
}

// The minimal config with a [payments.offline_limits] table holding `lines`, from line 33 on.
std::string with_offline_limits(std::string_view lines) {
  return std::string(kMinimalConfig) + "\n[payments.offline_limits]\n" + std::string(lines) + "\n";
}

}  // namespace

TEST_CASE("every [payments] key is read, with relative paths resolved") {
  ConfigFixture fx;
  fx.create_file("ca.pem");
  fx.create_secret("old-1.key", std::string(32, '1'));
  fx.create_secret("keys/old-2.key", std::string(32, '2'));
  const auto load = fx.parse(replaced(kMinimalConfig, kSealLine, kSealLine + R"(gateway_url = "http://127.0.0.1:9090/"
ca_bundle = "ca.pem"
request_timeout_ms = 20000
entry_timeout_ms = 900
previous_seal_key_files = ["old-1.key", "keys/old-2.key"]
currency = "EUR"
hold_amount_minor = 7500
max_in_flight = 8
retry_initial_ms = 500
retry_max_ms = 60000
carts_poll_interval_ms = 1000
carts_page_limit = 250
max_cart_minor = 2500000

[payments.offline_limits]
max_session_minor = 10000
max_outstanding_minor = 250000
max_outstanding_operations = 1000
max_age_s = 43200
)"));
  for (const auto& problem : load.problems) UNSCOPED_INFO(format_problem(problem));
  REQUIRE(load.config);
  const auto& p = load.config->payments;
  CHECK(p.gateway_url == "http://127.0.0.1:9090");
  CHECK(p.api_key_file == fx.dir() / "gateway.key");
  CHECK(p.ca_bundle == fx.dir() / "ca.pem");
  CHECK(p.request_timeout == 20000ms);
  CHECK(p.entry_timeout == 900ms);
  CHECK(p.seal_key_file == fx.dir() / "seal.key");
  CHECK(p.previous_seal_key_files == std::vector<fs::path>{fx.dir() / "old-1.key", fx.dir() / "keys/old-2.key"});
  CHECK(p.currency == "EUR");
  CHECK(p.hold_amount_minor == 7500);
  CHECK(p.max_in_flight == 8);
  CHECK(p.retry_initial == 500ms);
  CHECK(p.retry_max == 60000ms);
  CHECK(p.carts_poll_interval == 1000ms);
  CHECK(p.carts_page_limit == 250);
  CHECK(p.max_cart_minor == 2500000);
  CHECK(p.offline_limits.max_session_minor == 10000);
  CHECK(p.offline_limits.max_outstanding_minor == 250000);
  CHECK(p.offline_limits.max_outstanding_operations == 1000);
  CHECK(p.offline_limits.max_age == 43200s);
}

TEST_CASE("[payments] is required, and so are its two key files") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "\n[payments]\n" + kApiKeyLine + kSealLine, "\n")) ==
        Problems{"gate.toml:1:1: payments is missing, expected a [payments] table with api_key_file and seal_key_file"});
  CHECK(fx.problems(replaced(kMinimalConfig, kApiKeyLine, "")) ==
        Problems{"gate.toml:28:1: payments.api_key_file is missing, expected a string"});
  CHECK(fx.problems(replaced(kMinimalConfig, kSealLine, "")) ==
        Problems{"gate.toml:28:1: payments.seal_key_file is missing, expected a string"});
}

TEST_CASE("the gateway URL follows the tracking engine's rules: https, or http to loopback only") {
  ConfigFixture fx;
  for (const auto* url : {"https://api.stripe.com", "https://gateway.example:8443/stripe", "http://127.0.0.1:12111",
                          "http://localhost:8080", "http://[::1]:8080"}) {
    CAPTURE(url);
    CHECK(fx.problems(with_payments_lines("gateway_url = \"" + std::string(url) + "\"")).empty());
  }
  const std::string remote = "gateway_url = \"http://10.0.0.5:8080\"";
  CHECK(fx.problems(with_payments_lines(remote)) ==
        Problems{at_value(31, remote,
                          "payments.gateway_url is \"http://10.0.0.5:8080\", plain http is allowed only to a loopback "
                          "host (127.0.0.0/8, ::1, localhost), expected an https:// URL")});
  const std::string no_scheme = "gateway_url = \"api.stripe.com\"";
  CHECK(fx.problems(with_payments_lines(no_scheme)) ==
        Problems{at_value(31, no_scheme,
                          "payments.gateway_url is \"api.stripe.com\", which does not start with http:// or https://, "
                          "expected a URL such as \"https://api.stripe.com\"")});
}

TEST_CASE("[payments] numbers out of range or of the wrong type say what is expected") {
  ConfigFixture fx;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"request_timeout_ms = 99", "payments.request_timeout_ms is 99, expected an integer from 100 to 120000"},
      {"entry_timeout_ms = 10001", "payments.entry_timeout_ms is 10001, expected an integer from 100 to 10000"},
      {"hold_amount_minor = -1", "payments.hold_amount_minor is -1, expected an integer from 0 to 99999999"},
      {"hold_amount_minor = 100000000",
       "payments.hold_amount_minor is 100000000, expected an integer from 0 to 99999999"},
      {"hold_amount_minor = \"50\"", "payments.hold_amount_minor is a string, expected an integer from 0 to 99999999"},
      {"max_in_flight = 0", "payments.max_in_flight is 0, expected an integer from 1 to 32"},
      {"max_in_flight = 33", "payments.max_in_flight is 33, expected an integer from 1 to 32"},
      {"retry_initial_ms = 99", "payments.retry_initial_ms is 99, expected an integer from 100 to 60000"},
      {"retry_max_ms = 999", "payments.retry_max_ms is 999, expected an integer from 1000 to 3600000"},
      {"carts_poll_interval_ms = 99", "payments.carts_poll_interval_ms is 99, expected an integer from 100 to 60000"},
      {"carts_page_limit = 0", "payments.carts_page_limit is 0, expected an integer from 1 to 500"},
      {"carts_page_limit = 501", "payments.carts_page_limit is 501, expected an integer from 1 to 500"},
      {"max_cart_minor = 0", "payments.max_cart_minor is 0, expected an integer from 1 to 99999999"},
      {"max_cart_minor = 100000000", "payments.max_cart_minor is 100000000, expected an integer from 1 to 99999999"},
      {"max_cart_minor = 9223372036854775807",
       "payments.max_cart_minor is 9223372036854775807, expected an integer from 1 to 99999999"},
  };
  for (const auto& [line, message] : cases) {
    CAPTURE(line);
    CHECK(fx.problems(with_payments_lines(line)) == Problems{at_value(31, line, message)});
  }
}

TEST_CASE("the currency is an ISO 4217 code in upper case") {
  ConfigFixture fx;
  for (const auto* code : {"usd", "US", "EURO", "U$D", ""}) {
    CAPTURE(code);
    const std::string line = "currency = \"" + std::string(code) + "\"";
    const std::string problem =
        *code == '\0' ? "payments.currency is empty, expected a non-empty string"
                      : "payments.currency is \"" + std::string(code) +
                            "\", expected an ISO 4217 currency code of 3 upper-case letters, such as \"USD\"";
    CHECK(fx.problems(with_payments_lines(line)) == Problems{at_value(31, line, problem)});
  }
  CHECK(fx.problems(with_payments_lines("currency = 840")) ==
        Problems{"gate.toml:31:12: payments.currency is an integer, expected a string"});
}

TEST_CASE("the retry backoff's cap may not be below its start") {
  ConfigFixture fx;
  CHECK(fx.problems(with_payments_lines("retry_initial_ms = 5000\nretry_max_ms = 2000")) ==
        Problems{"gate.toml:32:16: payments.retry_max_ms is 2000, less than payments.retry_initial_ms (5000), "
                 "expected at least that"});
  const auto load = fx.parse(with_payments_lines("retry_initial_ms = 5000\nretry_max_ms = 5000"));
  REQUIRE(load.config);
  CHECK(load.config->payments.retry_max == 5000ms);
}

TEST_CASE("offline risk limits are range-checked, and their table's keys too") {
  ConfigFixture fx;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"max_session_minor = -1",
       "payments.offline_limits.max_session_minor is -1, expected an integer from 0 to 99999999"},
      {"max_outstanding_minor = 100000000000",
       "payments.offline_limits.max_outstanding_minor is 100000000000, expected an integer from 0 to 99999999999"},
      {"max_outstanding_operations = 1000001",
       "payments.offline_limits.max_outstanding_operations is 1000001, expected an integer from 0 to 1000000"},
      {"max_age_s = 2592001", "payments.offline_limits.max_age_s is 2592001, expected an integer from 0 to 2592000"},
  };
  for (const auto& [line, message] : cases) {
    CAPTURE(line);
    CHECK(fx.problems(with_offline_limits(line)) == Problems{at_value(33, line, message)});
  }
  CHECK(fx.problems(with_offline_limits("max_age = 60")) ==
        Problems{"gate.toml:33:1: unknown key \"max_age\" in [payments.offline_limits], did you mean \"max_age_s\"?"});
  CHECK(fx.problems(with_payments_lines("offline_limits = 5")) ==
        Problems{"gate.toml:31:18: payments.offline_limits is an integer, expected a table"});
  const auto load = fx.parse(with_offline_limits("max_session_minor = 0\nmax_outstanding_operations = 0"));
  REQUIRE(load.config);
  CHECK(load.config->payments.offline_limits.max_session_minor == 0);
  CHECK(load.config->payments.offline_limits.max_outstanding_operations == 0);
}

TEST_CASE("an unknown [payments] key is reported with a suggestion") {
  ConfigFixture fx;
  CHECK(fx.problems(with_payments_lines("hold_amount_minr = 100")) ==
        Problems{"gate.toml:31:1: unknown key \"hold_amount_minr\" in [payments], did you mean \"hold_amount_minor\"?"});
}

TEST_CASE("a secret file that group or others may read is reported at its key, with the chmod that fixes it") {
  ConfigFixture fx;
  fx.create_secret("gateway.key", "sk_test_gate\n", kWorldReadable);
  fx.create_secret("seal.key", kSealKey, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  CHECK(fx.problems(kMinimalConfig) ==
        Problems{"gate.toml:29:16: payments.api_key_file: gateway.key: the gateway API key is readable by group or "
                 "others (mode 0644); run: chmod 600 gateway.key",
                 "gate.toml:30:17: payments.seal_key_file: seal.key: the payment sealing key is readable by group or "
                 "others (mode 0640); run: chmod 600 seal.key"});
}

TEST_CASE("a sealing key file must be 32 bytes, and key files must exist and be files") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "\"gateway.key\"", "\"absent.key\"")) ==
        Problems{"gate.toml:29:16: payments.api_key_file: absent.key: the gateway API key file does not exist"});
  CHECK(fx.problems(replaced(kMinimalConfig, "\"gateway.key\"", "\"db\"")) ==
        Problems{"gate.toml:29:16: payments.api_key_file: db: the gateway API key file is a directory, expected a "
                 "regular file"});
  fx.create_secret("seal.key", std::string(31, 'k'));
  CHECK(fx.problems(kMinimalConfig) ==
        Problems{"gate.toml:30:17: payments.seal_key_file: seal.key: the payment sealing key file is 31 bytes, "
                 "expected exactly 32 random bytes; make one with: head -c 32 /dev/urandom > seal.key && chmod 600 "
                 "seal.key"});
}

TEST_CASE("previous sealing keys are checked like the current one, each listed once") {
  ConfigFixture fx;
  fx.create_secret("old.key", kSealKey);
  fx.create_secret("open.key", kSealKey, kWorldReadable);
  fx.create_secret("short.key", "short");
  const auto previous = [](std::string_view list) { return "previous_seal_key_files = " + std::string(list); };
  CHECK(fx.problems(with_payments_lines(previous("[\"open.key\"]"))) ==
        Problems{"gate.toml:31:28: payments.previous_seal_key_files[1]: open.key: a previous payment sealing key is "
                 "readable by group or others (mode 0644); run: chmod 600 open.key"});
  CHECK(fx.problems(with_payments_lines(previous("[\"old.key\", \"short.key\"]"))) ==
        Problems{"gate.toml:31:39: payments.previous_seal_key_files[2]: short.key: a previous payment sealing key "
                 "file is 5 bytes, expected exactly 32 random bytes; make one with: head -c 32 /dev/urandom > "
                 "short.key && chmod 600 short.key"});
  CHECK(fx.problems(with_payments_lines(previous("[\"gone.key\"]"))) ==
        Problems{"gate.toml:31:28: payments.previous_seal_key_files[1]: gone.key: a previous payment sealing key "
                 "file does not exist"});
  CHECK(fx.problems(with_payments_lines(previous("[\"seal.key\"]"))) ==
        Problems{"gate.toml:31:28: payments.previous_seal_key_files[1] is \"seal.key\", the same file as "
                 "payments.seal_key_file, expected each key file once"});
  CHECK(fx.problems(with_payments_lines(previous("[\"old.key\", \"./old.key\"]"))) ==
        Problems{"gate.toml:31:39: payments.previous_seal_key_files[2] is \"./old.key\", the same file as "
                 "payments.previous_seal_key_files[1], expected each key file once"});
  CHECK(fx.problems(with_payments_lines(previous("[1, \"\"]"))) ==
        Problems{"gate.toml:31:28: payments.previous_seal_key_files[1] is an integer, expected the path of a key file",
                 "gate.toml:31:31: payments.previous_seal_key_files[2] is empty, expected the path of a key file"});
  CHECK(fx.problems(with_payments_lines(previous("\"old.key\""))) ==
        Problems{"gate.toml:31:27: payments.previous_seal_key_files is a string, expected an array of key file paths"});
}
