// RigLink over a real Unix socket: a test rig client in the same process, the io_context
// run until each expected message or event has arrived (bounded, no sleeping).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/write.hpp>

#include "drivers/rig_link.hpp"
#include "tests/rig_link/rig_test_client.hpp"
#include "tests/support/temp_dir.hpp"

using nlohmann::json;
using passgate::drivers::RigLink;
using passgate::test::RigTestClient;
using passgate::test::run_until;
using Strings = std::vector<std::string>;

namespace {

struct Heard final : passgate::hw::IoListener {
  Strings inputs;  // "line=0/1" in order
  Strings scans;   // "scanner:text"
  Strings scanners;  // "scanner=0/1 detail"
  void on_input(const std::string& line, bool active) override { inputs.push_back(line + "=" + (active ? "1" : "0")); }
  void on_scan(const std::string& scanner, const std::string& text) override { scans.push_back(scanner + ":" + text); }
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override {
    scanners.push_back(scanner + "=" + (connected ? "1 " : "0 ") + detail);
  }
};

// A gate with entry lane 1 and exit lane 2, its RigLink on a temp socket, and a listener
// that has already heard the initial fire_alarm report.
struct Fixture {
  passgate::test::TempDir dir;
  std::filesystem::path socket = dir / "rig.sock";
  boost::asio::io_context io;
  std::unique_ptr<RigLink> link;
  Heard heard;

  Fixture() {
    auto opened = RigLink::open(io, socket, passgate::hw::gate_lines({1}, {2}));
    REQUIRE(opened.ok());
    link = std::move(*opened);
    link->set_listener(&heard);
    REQUIRE(run_until(io, [&] { return heard.inputs == Strings{"fire_alarm=1"}; }));
  }
  ~Fixture() { link->set_listener(nullptr); }

  // A rig that has received the initial burst of output levels.
  std::unique_ptr<RigTestClient> connect() {
    auto rig = std::make_unique<RigTestClient>(io, socket);
    REQUIRE(run_until(io, [&] { return rig->received().size() == 10; }));
    return rig;
  }
  // Sends `bad` and then a valid scan: returns the one error reply, after the scan has
  // reached the listener (the connection stayed usable).
  std::string error_reply_to(RigTestClient& rig, const std::string& bad) {
    const auto errors = rig.received_of("error").size();
    const auto scans = heard.scans.size();
    rig.send_raw(bad);
    rig.send({{"t", "scan"}, {"scanner", "lane1.entry"}, {"data", "probe"}});
    REQUIRE(run_until(io, [&] { return rig.received_of("error").size() == errors + 1 && heard.scans.size() == scans + 1; }));
    CHECK(heard.scans.back() == "lane1.entry:probe");
    return rig.received_of("error").back()["msg"];
  }
};

json in(const std::string& line, int v) { return {{"t", "in"}, {"line", line}, {"v", v}}; }

}  // namespace

TEST_CASE("a connecting rig gets the current level of every output") {
  Fixture f;
  f.link->set_output("lane1.release_in", true);
  f.link->set_output("lane2.led_red", true);
  const auto rig = f.connect();
  std::map<std::string, int> levels;
  for (const auto& m : rig->received()) {
    REQUIRE(m["t"] == "out");
    levels[m["line"]] = m["v"];
  }
  CHECK(levels.size() == 10);
  CHECK(levels.at("lane1.release_in") == 1);
  CHECK(levels.at("lane2.led_red") == 1);
  CHECK(levels.at("lane1.buzzer") == 0);
  CHECK(levels.at("lane2.release_out") == 0);
  CHECK(f.link->rig_connected());
}

TEST_CASE("input levels and scans from the rig reach the listener") {
  Fixture f;
  const auto rig = f.connect();
  f.heard.inputs.clear();
  rig->send(in("lane1.beam_outer", 1));
  rig->send({{"t", "in"}, {"line", "lane1.beam_outer"}, {"v", true}});  // same level: no event
  rig->send({{"t", "in"}, {"line", "lane1.beam_outer"}, {"v", false}});
  rig->send({{"t", "scan"}, {"scanner", "lane1.entry"}, {"data", "]Q1eyJhbGciOi\r\n"}});
  REQUIRE(run_until(f.io, [&] { return f.heard.scans.size() == 1; }));
  CHECK(f.heard.inputs == Strings{"lane1.beam_outer=1", "lane1.beam_outer=0"});
  CHECK(f.heard.scans == Strings{"lane1.entry:]Q1eyJhbGciOi\r\n"});
  CHECK(rig->received_of("error").empty());
}

TEST_CASE("set_output sends changes only, display sends text") {
  Fixture f;
  const auto rig = f.connect();
  f.link->set_output("lane1.led_green", false);  // already inactive
  f.link->set_output("lane1.release_in", true);
  f.link->set_output("lane1.release_in", true);
  f.link->display(1, "Welcome");
  REQUIRE(run_until(f.io, [&] { return rig->received().size() == 12; }));
  CHECK(rig->received()[10] == json{{"t", "out"}, {"line", "lane1.release_in"}, {"v", 1}});
  CHECK(rig->received()[11] == json{{"t", "display"}, {"lane", 1}, {"text", "Welcome"}});
  CHECK(f.link->output("lane1.release_in"));
  CHECK_FALSE(f.link->output("lane1.led_green"));
  f.link->set_output("lane9.release_in", true);  // not a line of this gate: ignored
  CHECK_FALSE(f.link->output("lane9.release_in"));
}

TEST_CASE("bad messages get an error reply and the connection stays usable") {
  Fixture f;
  const auto rig = f.connect();
  CHECK(f.error_reply_to(*rig, "{\"t\":\"in\",\"line\":\"lane7.beam_outer\",\"v\":1}\n") ==
        "unknown input line \"lane7.beam_outer\" (inputs: lane1.beam_outer, lane1.beam_inner, lane1.passage, "
        "lane2.beam_outer, lane2.beam_inner, lane2.passage, fire_alarm)");
  CHECK(f.error_reply_to(*rig, "{\"t\":\"in\",\"line\":\"lane1.release_in\",\"v\":1}\n") ==
        "\"lane1.release_in\" is an output line; the rig reports input lines only");
  CHECK(f.error_reply_to(*rig, "{\"t\":\"hello\"}\n") == "unknown message type \"hello\" (the rig sends \"in\" or \"scan\")");
  CHECK(f.error_reply_to(*rig, "{\"t\":\"in\",\n").starts_with("malformed JSON: "));
  CHECK(f.error_reply_to(*rig, "{\"t\":\"scan\",\"scanner\":\"lane2.entry\",\"data\":\"x\"}\n") ==
        "unknown scanner \"lane2.entry\" (scanners: lane1.entry)");
  const std::string oversize = "{\"t\":\"scan\",\"scanner\":\"lane1.entry\",\"data\":\"" + std::string(5000, 'A') + "\"}\n";
  CHECK(f.error_reply_to(*rig, oversize) == "line longer than 4096 bytes ignored (one JSON message per line)");
  CHECK(f.heard.scans == Strings(6, "lane1.entry:probe"));
  CHECK(f.heard.inputs == Strings{"fire_alarm=1"});
  CHECK(rig->received_of("error").size() == 6);
  CHECK_FALSE(rig->closed_by_gate());
}

TEST_CASE("blank lines are ignored") {
  Fixture f;
  const auto rig = f.connect();
  f.heard.inputs.clear();
  rig->send_raw("\n\r\n   \n");
  rig->send(in("lane1.passage", 1));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 1; }));
  CHECK(rig->received_of("error").empty());
}

TEST_CASE("a second rig is refused while one is connected") {
  Fixture f;
  const auto first = f.connect();
  RigTestClient second(f.io, f.socket);
  REQUIRE(run_until(f.io, [&] { return second.closed_by_gate(); }));
  REQUIRE(second.received().size() == 1);
  CHECK(second.received()[0]["t"] == "error");
  CHECK(second.received()[0]["msg"] == "another rig is already connected; one rig at a time");

  f.heard.inputs.clear();
  first->send(in("lane1.beam_inner", 1));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 1; }));
  CHECK(f.link->rig_connected());
}

TEST_CASE("a lost rig raises fire_alarm until a reconnected rig clears it") {
  Fixture f;
  auto rig = f.connect();
  f.heard.inputs.clear();
  rig->send(in("fire_alarm", 0));
  rig->send(in("lane1.beam_outer", 1));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 2; }));
  CHECK(f.heard.inputs == Strings{"fire_alarm=0", "lane1.beam_outer=1"});

  rig->close();
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 3; }));
  CHECK(f.heard.inputs.back() == "fire_alarm=1");  // and lane1.beam_outer keeps its level
  CHECK_FALSE(f.link->rig_connected());

  rig = f.connect();  // reconnecting alone does not clear the alarm
  rig->send(in("lane1.beam_outer", 1));  // the new rig's first report of it: passed on, unchanged
  rig->send(in("fire_alarm", 0));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 5; }));
  CHECK(f.heard.inputs.at(3) == "lane1.beam_outer=1");
  CHECK(f.heard.inputs.back() == "fire_alarm=0");
  rig->send(in("lane1.beam_outer", 1));  // repeated: not passed on
  rig->send(in("lane1.beam_outer", 0));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 6; }));
  CHECK(f.heard.inputs.back() == "lane1.beam_outer=0");

  // a new rig can connect once the old one is gone
  rig->close();
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.size() == 7; }));
  const auto next = f.connect();
  CHECK(f.link->rig_connected());
}

TEST_CASE("the rig's scanners and the alarm loop come and go with the rig, and the link says why") {
  Fixture f;
  // Heard with the initial fire_alarm report: no rig, so no scanner.
  CHECK(f.heard.scanners == Strings{"lane1.entry=0 no rig connected"});
  CHECK(f.link->fire_alarm_held()->find("no rig connected") != std::string::npos);
  CHECK(f.link->input_lines() == passgate::hw::gate_lines({1}, {2}).inputs);

  auto rig = f.connect();
  CHECK(f.heard.scanners.back() == "lane1.entry=1 rig connected");
  CHECK(f.link->scanners().at(0).connected);
  // Connected, but the rig has not said the loop is clear: the alarm is still held.
  CHECK(f.link->fire_alarm_held()->find("has not reported fire_alarm") != std::string::npos);
  rig->send(in("fire_alarm", 0));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs.back() == "fire_alarm=0"; }));
  CHECK_FALSE(f.link->fire_alarm_held().has_value());

  rig->close();
  REQUIRE(run_until(f.io, [&] { return f.heard.scanners.size() == 3; }));
  CHECK(f.heard.scanners.back() == "lane1.entry=0 no rig connected");
  CHECK(f.heard.inputs.back() == "fire_alarm=1");
  CHECK_FALSE(f.link->scanners().at(0).connected);
  CHECK(f.link->fire_alarm_held()->find("no rig connected") != std::string::npos);
}

TEST_CASE("the socket is created with mode 0660 and removed when the link goes") {
  passgate::test::TempDir dir;
  const auto path = dir / "rig.sock";
  boost::asio::io_context io;
  {
    auto link = RigLink::open(io, path, passgate::hw::gate_lines({1}, {}));
    REQUIRE(link.ok());
    struct ::stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0660);
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a stale socket file is replaced, anything else at the path is refused") {
  passgate::test::TempDir dir;
  boost::asio::io_context io;
  const auto path = dir / "rig.sock";
  {
    auto first = RigLink::open(io, path, passgate::hw::gate_lines({1}, {}));
    REQUIRE(first.ok());
    // simulate a crash: the socket file stays behind although nobody listens
    std::filesystem::rename(path, dir / "stale.sock");
  }
  std::filesystem::rename(dir / "stale.sock", path);
  {
    auto second = RigLink::open(io, path, passgate::hw::gate_lines({1}, {}));
    REQUIRE(second.ok());
    const auto rig = std::make_unique<RigTestClient>(io, path);
    REQUIRE(run_until(io, [&] { return rig->received().size() == 5; }));
  }

  const auto file = dir / "not-a-socket";
  std::ofstream(file) << "keep me";
  auto refused = RigLink::open(io, file, passgate::hw::gate_lines({1}, {}));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "invalid_argument");
  CHECK(refused.error().message ==
        "rig socket path " + file.string() + " exists and is not a socket; remove it or choose another path");
  CHECK(std::filesystem::exists(file));

  auto too_long = RigLink::open(io, dir / std::string(120, 'x'), passgate::hw::gate_lines({1}, {}));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == "invalid_argument");

  auto no_dir = RigLink::open(io, dir / "missing" / "rig.sock", passgate::hw::gate_lines({1}, {}));
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.error().code == "io_error");
  CHECK(no_dir.error().message.starts_with("cannot bind rig socket " + (dir / "missing" / "rig.sock").string()));
}

TEST_CASE("the initial fire_alarm report is posted, not delivered inside set_listener") {
  passgate::test::TempDir dir;
  boost::asio::io_context io;
  auto link = RigLink::open(io, dir / "rig.sock", passgate::hw::gate_lines({1}, {}));
  REQUIRE(link.ok());
  Heard heard;
  (*link)->set_listener(&heard);
  CHECK(heard.inputs.empty());
  REQUIRE(run_until(io, [&] { return !heard.inputs.empty(); }));
  CHECK(heard.inputs == Strings{"fire_alarm=1"});
  (*link)->set_listener(nullptr);
}

TEST_CASE("a rig that stops reading is dropped, its fire_alarm comes from the loop, not from the failed send") {
  Fixture f;
  // A rig that connects and never reads a byte.
  boost::asio::local::stream_protocol::socket silent(f.io);
  silent.connect(boost::asio::local::stream_protocol::endpoint(f.socket.string()));
  REQUIRE(run_until(f.io, [&] { return f.link->rig_connected(); }));
  f.heard.inputs.clear();
  const std::string clear = in("fire_alarm", 0).dump() + "\n";
  boost::asio::write(silent, boost::asio::buffer(clear));
  REQUIRE(run_until(f.io, [&] { return f.heard.inputs == Strings{"fire_alarm=0"}; }));
  f.heard.inputs.clear();

  // What a lane does inside a reaction: display writes, the loop not running meanwhile.
  const std::string text(200, 'x');
  int sent = 0;
  while (f.link->rig_connected() && sent < 100'000) {
    f.link->display(1, text);
    ++sent;
    CHECK(f.heard.inputs.empty());  // never inside the write
  }
  REQUIRE_FALSE(f.link->rig_connected());
  f.link->display(1, text);  // with no rig: nothing sent, nothing raised
  CHECK(f.heard.inputs.empty());

  REQUIRE(run_until(f.io, [&] { return !f.heard.inputs.empty(); }));
  CHECK(f.heard.inputs == Strings{"fire_alarm=1"});
}
