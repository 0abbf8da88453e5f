// The status page as a technician uses it, in headless Chromium through WebDriver
// (page_driver.hpp), against a real passgated with the simulated rig, the tracking engine and
// the payment gateway simulators (tests/scenario/gate_harness.hpp). The page is served over
// TLS with a users file: without a login, or with a wrong one, it is refused (the failure
// logged without the password); logged in, a scan, a fire alarm, a gateway outage and a lost
// scanner each appear on the page within a second of the gate knowing; a password changed by a
// reload ends the live view with "Login needed" on the page, and losing the daemon shows a
// banner. With a [store] whose etcd never answers (a closed port: no etcd to stand up), the
// store panel says so, and an entry admitted on the fallback shows as a claim owed within a
// second. Screenshots at 390x844 and 1280x800 (of the first page, and of the store panel) go to
// $PASSGATE_SCREENSHOTS_DIR (docs/images/ regenerates docs/status-page.md's) or the test's temp
// dir. One browser for each test case.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"
#include "tests/scenario/settlement_support.hpp"
#include "tests/status_page/page_driver.hpp"
#include "tests/status_page/basic_auth.hpp"
#include "tests/status_page/cheap_hash.hpp"
#include "tests/status_page/page_port.hpp"
#include "tests/status_page/unreachable_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace passgate::scenario {
namespace {

using json = nlohmann::json;

constexpr std::chrono::milliseconds kWithinASecond{1000};
const std::string kPassword = "gate-tech-2026";

std::string basic(const std::string& user, const std::string& password) {
  return test::basic_authorization(user, password);
}

// [status_page] on any free loopback port, over TLS, with one user "tech" (a cheap hash: the
// test's wrong and right logins follow each other within the page's hashing budget, whatever
// the machine's load).
std::string tls_status_page(const test::TempDir& dir) {
  test::TestPki pki(dir.path(), "page");
  const auto pair = pki.issue_server("page", {"localhost"}, {"127.0.0.1"});
  const auto users = dir.path() / "status-users";
  std::ofstream(users) << "# the test's technician\ntech:" << test::cheap_hash(kPassword) << "\n";
  return "listen = \"127.0.0.1:0\"\ntls_cert = \"" + pair.cert.string() + "\"\ntls_key = \"" + pair.key.string() +
         "\"\nusers_file = \"" + users.string() + "\"\n";
}

std::string page_url(GateHarness& gate) {
  const std::regex ready("event=status_page_ready url=(https://127\\.0\\.0\\.1:[0-9]+/) login=required");
  std::smatch match;
  const std::string log = gate.gated().output();
  REQUIRE(std::regex_search(log, match, ready));
  return match[1];
}

std::filesystem::path screenshots_dir(const test::TempDir& dir) {
  const char* wanted = std::getenv("PASSGATE_SCREENSHOTS_DIR");
  return wanted != nullptr && *wanted != '\0' ? std::filesystem::path(wanted) : dir.path();
}

void shown_within_a_second(test::PageDriver& page, const char* what, const std::string& js) {
  const auto waited = page.wait(js, kWithinASecond);
  INFO(what << ": " << (waited.ok ? "shown after " : "not shown within ") << waited.ms << " ms");
  CHECK(waited.ok);
}

TEST_CASE("in a browser the page refuses no login and shows a scan, fire, gateway outage and lost scanner in 1 s",
          "[browser]") {
  test::TempDir files;
  GateHarness gate(GateOptions{.status_page = tls_status_page(files)});
  RigClient rig(gate);
  rig.connect_ready();
  const std::string url = page_url(gate);
  test::PageDriver page(gate.io(), files.path());
  const auto within_a_second = [&](const char* what, const std::string& js) { shown_within_a_second(page, what, js); };

  // No login, then a wrong one: refused, and the failure logged without the password.
  auto refused = page.command({{"cmd", "open"}, {"url", url}});
  CHECK(refused.at("status") == 401);
  CHECK(refused.at("page") == false);
  REQUIRE(page.command({{"cmd", "login"}, {"authorization", basic("tech", "guess-1234")}}).at("ok"));
  refused = page.command({{"cmd", "open"}, {"url", url}});
  CHECK(refused.at("status") == 401);
  CHECK(refused.at("page") == false);
  REQUIRE(gate.gated().wait_for_output("event=status_login_failed peer=127.0.0.1 user=tech failures=1", kReactLimit));
  CHECK(gate.gated().output().find("guess-1234") == std::string::npos);

  REQUIRE(page.command({{"cmd", "login"}, {"authorization", basic("tech", kPassword)}}).at("ok"));
  REQUIRE(page.command({{"cmd", "open"}, {"url", url}}).at("ok"));
  REQUIRE(page.wait("document.getElementById('live').textContent === 'live' && document.getElementById('lane-3')",
                    kReactLimit).ok);
  // No [store]: no store panel.
  CHECK(page.command({{"cmd", "eval"}, {"js", "document.getElementById('store').hidden"}}).at("value") == true);

  // A scan: admitted on lane 1, then the same token again on lane 2: denied, never shown.
  const std::string token = gate.mint("shp_ana");
  rig.scan(1, token);
  within_a_second("lane 1 admitting", "document.querySelector('#lane-1 .state').dataset.state === 'admitting' && "
                                      "document.querySelector('#lane-1 .scans .admitted')");
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  rig.scan(2, token);
  within_a_second("lane 2's denial", "document.querySelector('#lane-2 .scans li').textContent.includes('replayed')");
  CHECK(page.command({{"cmd", "eval"}, {"js", "document.body.innerText.indexOf('" + token + "')"}}).at("value") == -1);

  const auto shots = screenshots_dir(files);
  for (const auto& [name, width, height] : {std::tuple{"status-page-phone.png", 390, 844},
                                            std::tuple{"status-page-desktop.png", 1280, 800}}) {
    const auto path = shots / name;
    REQUIRE(page.command({{"cmd", "screenshot"}, {"path", path.string()}, {"width", width}, {"height", height}})
                .at("ok"));
    CHECK(std::filesystem::file_size(path) > 10000);
  }

  // The fire alarm, and its end.
  rig.set("fire_alarm", true);
  within_a_second("the fire alarm", "!document.getElementById('fire').hidden && "
                                    "document.querySelector('#lane-1 .state').dataset.state.startsWith('emergency')");
  rig.set("fire_alarm", false);
  within_a_second("the fire alarm's end", "document.getElementById('fire').hidden");

  // A gateway outage: a cart to charge while the gateway is unreachable.
  const json session = find_by(gate.tracking_state().at("sessions"), "shopper", "shp_ana");
  REQUIRE_FALSE(session.is_null());
  gate.set_gateway_fault("unreachable");
  gate.finalize_cart(session.at("session_id").get<std::string>(), 1234);
  REQUIRE(gate.gated().wait_for_output("event=gateway_unreachable", kReactLimit));
  within_a_second("the gateway outage",
                  "document.getElementById('fact-payment-gateway').textContent.startsWith('unreachable')");

  // The rig (and with it every scanner) lost.
  rig.close();
  REQUIRE(gate.gated().wait_for_output("event=rig_disconnected", kReactLimit));
  within_a_second("lane 1's scanner lost", "document.querySelector('#lane-1 .scanner').textContent.includes('LOST')");

  // The technician's password changed by a reload: the live view ends, and the page says a
  // login is needed (EventSource alone would stay closed and say nothing).
  std::ofstream(files.path() / "status-users", std::ios::trunc) << "tech:" << test::cheap_hash("a new one") << "\n";
  const auto reload = gate.ctl({"reload"});
  INFO(reload.output);
  REQUIRE(reload.status == 0);
  CHECK(page.wait("document.getElementById('live').textContent === 'NOT LIVE' && "
                  "document.getElementById('lost-why').textContent.startsWith('Login needed')",
                  kReactLimit)
            .ok);

  // The daemon gone: the page says so.
  gate.stop_gate();
  CHECK(page.wait("!document.getElementById('lost').hidden && "
                  "document.getElementById('live').textContent === 'NOT LIVE'", kWithinASecond).ok);
}

TEST_CASE("in a browser the store panel says the store's etcd does not answer, and shows a claim owed in 1 s",
          "[browser]") {
  test::TempDir files;
  const test::UnreachableStore store(files);
  GateHarness gate(GateOptions{.store_section = store.section()});
  RigClient rig(gate);
  rig.connect_ready();
  test::PageDriver page(gate.io(), files.path());
  // The page without a login, on loopback (TLS and logins are the other test case's).
  REQUIRE(page.command({{"cmd", "open"}, {"url", "http://127.0.0.1:" + std::to_string(test::page_port(gate)) + "/"}})
              .at("ok"));
  REQUIRE(gate.gated().wait_for_output("event=store_occupancy_unavailable", kReactLimit));
  shown_within_a_second(page, "the store's etcd not answering",
                        "document.getElementById('live').textContent === 'live' && "
                        "!document.getElementById('store').hidden && "
                        "document.getElementById('store-etcd').dataset.state === 'unreachable' && "
                        "document.getElementById('store-etcd').textContent.includes('no answer since passgated "
                        "started') && "
                        "document.getElementById('store-fallback').textContent.startsWith('local: entries admitted') && "
                        "document.getElementById('store-occupancy').textContent === 'not read yet' && "
                        "document.getElementById('store-owed-to-etcd').textContent === 'nothing'");
  CHECK(page.command({{"cmd", "eval"}, {"js", "document.getElementById('gate-id-shared').hidden"}}).at("value") == true);

  // An entry while etcd does not answer: admitted on the gate's own checks (fallback local),
  // its store-wide claim owed.
  rig.scan(1, gate.mint("shp_ana"));
  REQUIRE(rig.wait_level(kRelease1, true));
  shown_within_a_second(page, "the claim owed",
                        "/^[1-9][0-9]* claim\\(s\\)/.test(document.getElementById('store-owed-to-etcd').textContent) && "
                        "document.getElementById('attention').textContent.includes('wait to be made store-wide')");
  // The same count as passgatectl status (the token's claim and the shopper's).
  const auto status = gate.ctl({"status", "--json"});
  REQUIRE(status.status == 0);
  const auto owed = json::parse(status.output).at("store").at("claims_owed").get<std::int64_t>();
  CHECK(owed > 0);
  CHECK(page.command({{"cmd", "eval"},
                      {"js", "document.getElementById('store-owed-to-etcd').textContent.startsWith('" +
                                 std::to_string(owed) + " claim(s)')"}})
            .at("value") == true);

  // What no single etcd-less gate can show (another box with this gate_id, double uses found,
  // an occupancy read): the page's drawing of such a store part, drawn and read in one script
  // (before the next snapshot redraws it).
  const json drawn = page.command({{"cmd", "eval"}, {"js", R"((() => {
      renderStore({reachable: true, fallback: 'deny', claims_owed: 0, releases_owed: 0, double_uses_24h: 3,
                   gate_id_shared: 2, claims_unchecked: 0,
                   occupancy: {inside: 41, entered: 50, exited: 9, arrays: 2, read_s_ago: 4}});
      const text = (id) => document.getElementById(id).textContent;
      return {banner: !document.getElementById('gate-id-shared').hidden, alarm: text('gate-id-shared-text'),
              etcd: text('store-etcd'), fallback: text('store-fallback'), occupancy: text('store-occupancy'),
              double_uses: text('store-double-uses'), gate_id: text('store-gate-id')};
    })())"}}).at("value");
  INFO(drawn.dump());
  CHECK(drawn.at("banner") == true);
  CHECK(drawn.at("alarm").get<std::string>().starts_with("2 key(s) in the store's etcd are held under this gate_id"));
  CHECK(drawn.at("etcd").get<std::string>().starts_with("etcd reachablelast answered "));
  CHECK(drawn.at("fallback") == "deny (if etcd does not answer: entries denied, lane_unavailable)");
  CHECK(drawn.at("occupancy").get<std::string>().starts_with(
      "41 inside now · 50 entered, 9 exited · 2 gate array(s) counted · as of "));
  CHECK(drawn.at("double_uses").get<std::string>().starts_with("3 in the last 24 h: "));
  CHECK(drawn.at("double_uses").get<std::string>().find("Tell loss prevention") != std::string::npos);
  CHECK(drawn.at("gate_id").get<std::string>().starts_with("SHARED"));
  // The next snapshot draws the gate's own again.
  CHECK(page.wait("document.getElementById('gate-id-shared').hidden && "
                  "document.getElementById('store-etcd').dataset.state === 'unreachable'", kReactLimit).ok);

  for (const auto& [name, width, height] : {std::tuple{"status-page-store-phone.png", 390, 844},
                                            std::tuple{"status-page-store-desktop.png", 1280, 800}}) {
    const auto path = screenshots_dir(files) / name;
    REQUIRE(page.command({{"cmd", "screenshot"}, {"path", path.string()}, {"width", width}, {"height", height},
                          {"scroll_to", "store"}})
                .at("ok"));
    CHECK(std::filesystem::file_size(path) > 10000);
  }
}

}  // namespace
}  // namespace passgate::scenario
