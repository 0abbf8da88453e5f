// [terminal] and the lanes' terminal_reader: the payment terminal API (URL, key and CA bundle,
// falling back to [payments]'s), its pinned version, the card-present hold, its time limits and
// polls, and which reader each entry lane has.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::at_value;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

const std::string kEntryKind = "kind = \"entry\"\n";  // line 10
const std::string kExitKind = "kind = \"exit\"\n";    // line 14

// The minimal config with a [terminal] table (line 32) holding `lines`, from line 33 on.
std::string with_terminal(std::string_view lines) {
  return std::string(kMinimalConfig) + "\n[terminal]\n" + std::string(lines) + "\n";
}

// The minimal config with `line` added to lane 1 (entry), at line 11.
std::string with_entry_lane_line(std::string_view line) {
  return replaced(kMinimalConfig, kEntryKind, kEntryKind + std::string(line) + "\n");
}

}  // namespace

TEST_CASE("without [terminal] the defaults hold: the gateway's URL and key, 10 s requests, 3 s connects") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  const auto& t = load.config->terminal;
  CHECK(t.api_url.empty());
  CHECK(t.api_key_file.empty());
  CHECK(t.ca_bundle.empty());
  CHECK(t.stripe_version == "2026-05-27.dahlia");
  CHECK(t.hold_amount_minor == 3000);
  CHECK(t.request_timeout == 10000ms);
  CHECK(t.connect_timeout == 3000ms);
  CHECK(t.auth_timeout == 30000ms);
  CHECK(t.poll_fast == 250ms);
  CHECK(t.poll_slow == 2000ms);
  CHECK(t.rearm_interval == 600s);
  CHECK(t.capture_margin == 3600s);
  for (const auto& lane : load.config->lanes) CHECK(lane.terminal_reader.empty());
}

TEST_CASE("every [terminal] key is read, with relative paths resolved, and an entry lane's reader") {
  ConfigFixture fx;
  fx.create_file("terminal-ca.pem");
  fx.create_secret("terminal.key", "sk_test_terminal\n");
  const auto load = fx.parse(with_entry_lane_line("terminal_reader = \"tmr_FGm2mHsuKt9T3q\"") + R"(
[terminal]
api_url = "http://127.0.0.1:12112/"
api_key_file = "terminal.key"
ca_bundle = "terminal-ca.pem"
stripe_version = "2025-03-31.basil"
hold_amount_minor = 5000
request_timeout_ms = 8000
connect_timeout_ms = 2000
auth_timeout_ms = 20000
poll_fast_ms = 400
poll_slow_ms = 3000
rearm_interval_s = 300
capture_margin_s = 7200
)");
  for (const auto& problem : load.problems) UNSCOPED_INFO(format_problem(problem));
  REQUIRE(load.config);
  const auto& t = load.config->terminal;
  CHECK(t.api_url == "http://127.0.0.1:12112");
  CHECK(t.api_key_file == fx.dir() / "terminal.key");
  CHECK(t.ca_bundle == fx.dir() / "terminal-ca.pem");
  CHECK(t.stripe_version == "2025-03-31.basil");
  CHECK(t.hold_amount_minor == 5000);
  CHECK(t.request_timeout == 8000ms);
  CHECK(t.connect_timeout == 2000ms);
  CHECK(t.auth_timeout == 20000ms);
  CHECK(t.poll_fast == 400ms);
  CHECK(t.poll_slow == 3000ms);
  CHECK(t.rearm_interval == 300s);
  CHECK(t.capture_margin == 7200s);
  REQUIRE(load.config->lanes.size() == 2);
  CHECK(load.config->lanes[0].terminal_reader == "tmr_FGm2mHsuKt9T3q");
  CHECK(load.config->lanes[1].terminal_reader.empty());
}

TEST_CASE("[terminal] limits: the connect limit within the request's, the fast poll within the slow one") {
  ConfigFixture fx;
  const std::string connect = "connect_timeout_ms = 5000";
  CHECK(fx.problems(with_terminal("request_timeout_ms = 4000\n" + connect)) ==
        Problems{at_value(34, connect,
                          "terminal.connect_timeout_ms is 5000, more than terminal.request_timeout_ms (4000 ms), "
                          "expected at most that")});
  const std::string fast = "poll_fast_ms = 500";
  CHECK(fx.problems(with_terminal(fast + "\npoll_slow_ms = 300")) ==
        Problems{at_value(33, fast,
                          "terminal.poll_fast_ms is 500, more than terminal.poll_slow_ms (300 ms), expected at most "
                          "that")});
  for (const auto* line : {"poll_fast_ms = 100", "connect_timeout_ms = 0", "auth_timeout_ms = 1000",
                           "rearm_interval_s = 10", "hold_amount_minor = 0", "request_timeout_ms = \"10s\""}) {
    CAPTURE(line);
    const auto problems = fx.problems(with_terminal(line));
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Contains("gate.toml:33:"));
    CHECK_THAT(problems[0], Contains("terminal."));
  }
}

TEST_CASE("[terminal] URL, key file, version and unknown keys are checked like the gateway's") {
  ConfigFixture fx;
  const std::string remote = "api_url = \"http://10.0.0.5:8080\"";
  CHECK(fx.problems(with_terminal(remote)) ==
        Problems{at_value(33, remote,
                          "terminal.api_url is \"http://10.0.0.5:8080\", plain http is allowed only to a loopback "
                          "host (127.0.0.0/8, ::1, localhost), expected an https:// URL")});
  fx.create_secret("open.key", "sk_test_open\n",
                   std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                       std::filesystem::perms::group_read);
  const auto open = fx.problems(with_terminal("api_key_file = \"open.key\""));
  REQUIRE(open.size() == 1);
  CHECK_THAT(open[0], Contains("gate.toml:33:16: terminal.api_key_file: "));
  const std::string spaced = "stripe_version = \"2026-05-27 dahlia\"";
  CHECK(fx.problems(with_terminal(spaced)) ==
        Problems{at_value(33, spaced,
                          "terminal.stripe_version is \"2026-05-27 dahlia\", expected an API version such as "
                          "\"2026-05-27.dahlia\" (printable, no spaces, at most 64 characters)")});
  const auto unknown = fx.problems(with_terminal("poll_fats_ms = 300"));
  REQUIRE(unknown.size() == 1);
  CHECK_THAT(unknown[0], Contains("gate.toml:33:1: "));
  CHECK_THAT(unknown[0], Contains("poll_fast_ms"));
}

TEST_CASE("terminal_reader: a tmr_ id, on entry lanes only, each reader on one lane") {
  ConfigFixture fx;
  const std::string bad = "terminal_reader = \"reader-1\"";
  CHECK(fx.problems(with_entry_lane_line(bad)) ==
        Problems{at_value(11, bad,
                          "lanes[1].terminal_reader is \"reader-1\", expected a reader id such as "
                          "\"tmr_FGm2mHsuKt9T3q\" (\"tmr_\" and up to 60 letters, digits or underscores)")});
  const std::string on_exit = "terminal_reader = \"tmr_Exit\"";
  CHECK(fx.problems(replaced(kMinimalConfig, kExitKind, kExitKind + on_exit + "\n")) ==
        Problems{at_value(15, on_exit,
                          "lanes[2].terminal_reader is set on an exit lane, expected it only on entry lanes")});
  const std::string twice = "terminal_reader = \"tmr_Same\"";
  const std::string third_lane = "\n[[lanes]]\nnumber = 3\nkind = \"entry\"\n" + twice + "\n";
  CHECK(fx.problems(with_entry_lane_line(twice) + third_lane) ==
        Problems{at_value(36, twice,
                          "lanes[3].terminal_reader is \"tmr_Same\", which lanes[1] already has, expected each reader "
                          "on one lane")});
}
