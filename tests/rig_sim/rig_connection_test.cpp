// RigConnection against a tiny fake gate: a Unix socket server in the test, on the same
// io_context. Every wait runs the loop until a condition holds, bounded by a deadline.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <istream>

#include "common/asio_time.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/sim/rig/connection.hpp"

namespace passgate::sim {
namespace {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

// Runs `io` until `done()` holds; false if 5 s pass first.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Accepts one connection, records the lines it receives and sends what it is told to.
class FakeGateServer {
 public:
  FakeGateServer(asio::io_context& io, const std::string& path) : acceptor_(io, local::endpoint(path)), peer_(io) {
    acceptor_.async_accept(peer_, [this](const boost::system::error_code& ec) {
      accepted = !ec;
      if (accepted) read();
    });
  }

  void send(const std::string& line) {
    auto text = std::make_shared<std::string>(line + "\n");
    asio::async_write(peer_, asio::buffer(*text), [text](const boost::system::error_code&, std::size_t) {});
  }
  void hang_up() { peer_.close(); }

  bool accepted = false;
  bool saw_eof = false;
  std::vector<nlohmann::json> received;

 private:
  void read() {
    asio::async_read_until(peer_, buffer_, '\n', [this](const boost::system::error_code& ec, std::size_t) {
      if (ec) {
        saw_eof = true;
        return;
      }
      std::istream in(&buffer_);
      std::string line;
      std::getline(in, line);
      received.push_back(nlohmann::json::parse(line));
      read();
    });
  }

  local::acceptor acceptor_;
  local::socket peer_;
  asio::streambuf buffer_;
};

struct LinkFixture {
  test::TempDir dir;
  std::string path = (dir / "rig.sock").string();
  asio::io_context io;
  AsioTime time{io};
  Conditions conditions{time};
  GateView gate{conditions};
  std::vector<std::string> gate_errors, problems, lost;
  RigConnection link{io, gate,
                     {.gate_error = [this](const std::string& m) { gate_errors.push_back(m); },
                      .problem = [this](const std::string& m) { problems.push_back(m); },
                      .lost = [this](const std::string& m) { lost.push_back(m); }}};
};

TEST_CASE("the rig's link reads the gate's outputs and displays and sends inputs and scans", "[rig_connection]") {
  LinkFixture f;
  FakeGateServer server(f.io, f.path);
  REQUIRE(f.link.connect(f.path).ok());
  REQUIRE(run_until(f.io, [&] { return server.accepted; }));

  server.send(R"({"t":"out","line":"lane1.release_in","v":1})");
  server.send(R"({"t":"out","line":"lane3.release_out","v":false})");
  server.send(R"({"t":"display","lane":1,"text":"admit 2"})");
  server.send(R"({"t":"hello","future":true})");
  server.send(R"({"t":"error","msg":"unknown line \"lane9.beam_outer\""})");
  server.send(R"(not json)");
  server.send(R"({"t":"out","line":"lane1.led_red"})");
  REQUIRE(run_until(f.io, [&] { return f.problems.size() == 2; }));
  CHECK(f.gate.output("lane1.release_in") == true);
  CHECK(f.gate.output("lane3.release_out") == false);
  CHECK_FALSE(f.gate.output("lane1.led_red"));
  CHECK(f.gate.rises("lane1.release_in") == 1);
  CHECK(f.gate.displays(1) == std::vector<std::string>{"admit 2"});
  CHECK(f.gate.lanes() == std::set<int>{1, 3});
  CHECK(f.gate_errors == std::vector<std::string>{"unknown line \"lane9.beam_outer\""});
  CHECK(f.problems[0] == "not a JSON object with a string \"t\": not json");
  CHECK(f.problems[1] == "\"out\" needs a string \"line\" and \"v\" 0 or 1: {\"t\":\"out\",\"line\":\"lane1.led_red\"}");

  f.link.set_input("lane1.beam_outer", true);
  f.link.scan("lane1.entry", "]Q1abc\r\n");
  f.link.set_input("fire_alarm", false);
  REQUIRE(run_until(f.io, [&] { return server.received.size() == 3; }));
  CHECK(server.received[0] == nlohmann::json{{"t", "in"}, {"line", "lane1.beam_outer"}, {"v", 1}});
  CHECK(server.received[1] == nlohmann::json{{"t", "scan"}, {"scanner", "lane1.entry"}, {"data", "]Q1abc\r\n"}});
  CHECK(server.received[2] == nlohmann::json{{"t", "in"}, {"line", "fire_alarm"}, {"v", 0}});
  CHECK(f.lost.empty());
}

TEST_CASE("the rig's link reports the gate hanging up", "[rig_connection]") {
  LinkFixture f;
  FakeGateServer server(f.io, f.path);
  REQUIRE(f.link.connect(f.path).ok());
  REQUIRE(run_until(f.io, [&] { return server.accepted; }));
  server.hang_up();
  REQUIRE(run_until(f.io, [&] { return !f.lost.empty(); }));
  CHECK(f.lost == std::vector<std::string>{"the gate closed the connection"});
  CHECK_FALSE(f.link.connected());
}

TEST_CASE("closing the rig's link sends what is queued first", "[rig_connection]") {
  LinkFixture f;
  FakeGateServer server(f.io, f.path);
  REQUIRE(f.link.connect(f.path).ok());
  f.link.set_input("lane2.beam_inner", true);
  f.link.set_input("lane2.beam_inner", false);
  bool closed = false;
  f.link.close([&] { closed = true; });
  REQUIRE(run_until(f.io, [&] { return closed && server.saw_eof; }));
  CHECK(server.received.size() == 2);
  CHECK(f.lost.empty());
}

TEST_CASE("a gate that is not there is named with the socket and the reason", "[rig_connection]") {
  LinkFixture f;
  const auto connected = f.link.connect(f.path);
  REQUIRE_FALSE(connected.ok());
  CHECK(connected.error().code == "connect_failed");
  CHECK(connected.error().message.starts_with("cannot connect to the gate's rig socket " + f.path +
                                              ": No such file or directory"));
}

}  // namespace
}  // namespace passgate::sim
