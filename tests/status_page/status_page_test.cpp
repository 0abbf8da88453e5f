// The status page of a real passgated on loopback (no TLS, no login), read as a program would:
// its files and headers, what it refuses (other methods, other paths), /status.json telling
// the same story as `passgatectl status --json` with the same names (plus what the page draws
// of each lane), /events framing one snapshot per event and pushing a change, its cap on
// viewers, and no accept rate on loopback. With a [store] (whose etcd never answers) the
// snapshot carries passgatectl status's store view; without one, none.
#include <catch2/catch.hpp>

#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "drivers/http_client.hpp"
#include "passgated/status_page.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"
#include "tests/status_page/page_port.hpp"
#include "tests/status_page/unreachable_store.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::scenario {
namespace {

using json = nlohmann::json;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using test::page_port;

std::string header_of(const HttpReply& reply, const std::string& name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return {};
}

struct PageClient {
  PageClient(GateHarness& harness, std::uint16_t port) : gate(harness) {
    drivers::HttpClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(port);
    auto created = drivers::HttpClient::create(gate.io(), std::move(options));
    REQUIRE(created.ok());
    client = std::move(*created);
  }
  HttpReply call(drivers::HttpMethod method, const std::string& target) {
    auto reply = test::await_reply<HttpReply>(gate.io(), [&](std::function<void(HttpReply)> done) {
      client->request(method, target, {}, std::chrono::seconds(5), std::move(done));
    });
    REQUIRE(reply.has_value());
    return *reply;
  }
  GateHarness& gate;
  std::unique_ptr<drivers::HttpClient> client;
};

// A viewer of /events on a raw socket: each event is read as the browser's EventSource would.
class Viewer {
 public:
  Viewer(asio::io_context& io, std::uint16_t port) : io_(io), socket_(io) {
    socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    const std::string request = "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    asio::write(socket_, asio::buffer(request));
  }
  // The head, then each "data:" line's JSON; empty when the stream ended or nothing came.
  std::optional<std::string> next(const std::string& until = "\n\n") {
    std::optional<boost::system::error_code> result;
    asio::async_read_until(socket_, asio::dynamic_buffer(buffer_), until,
                           [&result](const boost::system::error_code& ec, std::size_t) { result = ec; });
    if (!test::run_until(io_, [&] { return result.has_value(); }, kReactLimit)) {
      socket_.cancel();
      (void)test::run_until(io_, [&] { return result.has_value(); });
      return std::nullopt;
    }
    if (*result) return std::nullopt;
    const auto end = buffer_.find(until) + until.size();
    std::string part = buffer_.substr(0, end);
    buffer_.erase(0, end);
    return part;
  }
  json next_snapshot() {
    const auto event = next();
    REQUIRE(event);
    const auto data = event->find("data: ");
    REQUIRE(data != std::string::npos);
    return json::parse(event->substr(data + 6));
  }

 private:
  asio::io_context& io_;
  tcp::socket socket_;
  std::string buffer_;
};

TEST_CASE("the page's files come with their types and headers; it is read-only and knows only its paths") {
  GateHarness gate;
  PageClient page(gate, page_port(gate));
  const auto index = page.call(drivers::HttpMethod::get, "/");
  REQUIRE(index.status == 200);
  CHECK(header_of(index, "Content-Type") == "text/html; charset=utf-8");
  CHECK(header_of(index, "Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(header_of(index, "Cache-Control") == "no-store");
  CHECK(index.body.find("<script src=\"/app.js\"") != std::string::npos);
  CHECK(index.body.find("http") == std::string::npos);  // nothing from the internet
  for (const auto& [path, type] : {std::pair{"/app.js", "text/javascript; charset=utf-8"},
                                   std::pair{"/style.css", "text/css; charset=utf-8"}}) {
    const auto reply = page.call(drivers::HttpMethod::get, path);
    CHECK(reply.status == 200);
    CHECK(header_of(reply, "Content-Type") == type);
  }
  const auto post = page.call(drivers::HttpMethod::post, "/status.json");
  CHECK(post.status == 405);
  CHECK(header_of(post, "Allow") == "GET");
  CHECK(page.call(drivers::HttpMethod::get, "/admin").status == 404);
}

TEST_CASE("status.json tells what passgatectl status tells, with the same names, and each lane's picture") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const std::string token = gate.mint("shp_ana");
  rig.scan(1, token);
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.scan(2, token);  // the same token again: replayed
  REQUIRE(rig.wait_display(2, "replayed"));

  PageClient page(gate, page_port(gate));
  const auto reply = page.call(drivers::HttpMethod::get, "/status.json");
  REQUIRE(reply.status == 200);
  CHECK(header_of(reply, "Content-Type") == "application/json");
  CHECK(reply.body.find(token) == std::string::npos);
  const json snapshot = json::parse(reply.body);
  const auto ctl = gate.ctl({"status", "--json"});
  REQUIRE(ctl.status == 0);
  const json status = json::parse(ctl.output);
  for (const auto& [key, value] : status.items()) {
    if (key == "ok") continue;
    INFO(key);
    CHECK(snapshot.contains(key));
  }
  CHECK(snapshot.at("gate_id") == status.at("gate_id"));
  CHECK(snapshot.at("fire_alarm") == false);
  CHECK(snapshot.at("gateway") == status.at("gateway"));
  CHECK(snapshot.at("payment_queue") == status.at("payment_queue"));
  CHECK(snapshot.at("database") == json{{"ok", true}});
  CHECK(snapshot.at("version").get<std::string>().starts_with("passgated "));
  CHECK_FALSE(snapshot.contains("store"));  // no [store]: no store view, here or in passgatectl status
  CHECK_FALSE(status.contains("store"));
  REQUIRE(snapshot.at("lanes").size() == status.at("lanes").size());
  for (std::size_t i = 0; i < status.at("lanes").size(); ++i) {
    for (const auto& [key, value] : status.at("lanes")[i].items()) {
      if (key == "state") continue;  // lane 1 may have moved on meanwhile
      INFO("lane " << i << " " << key);
      CHECK(snapshot.at("lanes")[i].at(key) == value);
    }
  }
  const json& lane1 = snapshot.at("lanes")[0];
  CHECK(lane1.at("outputs").at("release_in") == true);
  CHECK(lane1.at("beams") == json{{"outer", false}, {"inner", false}});
  CHECK(lane1.at("places_left") == 1);
  REQUIRE(lane1.at("recent_scans").size() == 1);
  CHECK(lane1.at("recent_scans")[0].at("outcome") == "admitted");
  const json& lane2 = snapshot.at("lanes")[1];
  REQUIRE(lane2.at("recent_scans").size() == 1);
  CHECK(lane2.at("recent_scans")[0].at("outcome") == "denied");
  CHECK(lane2.at("recent_scans")[0].at("reason") == "replayed");
}

TEST_CASE("status.json carries passgatectl status's store view when [store] is set (its etcd not answering)") {
  test::TempDir files;
  const test::UnreachableStore store(files);
  GateHarness gate(GateOptions{.store_section = store.section()});
  PageClient page(gate, page_port(gate));
  const auto store_of_page = [&] {
    const auto reply = page.call(drivers::HttpMethod::get, "/status.json");
    REQUIRE(reply.status == 200);
    return json::parse(reply.body).at("store");
  };
  // The store's etcd never answers: the gate knows at its first occupancy round.
  REQUIRE(gate.gated().wait_for_output("event=store_occupancy_unavailable", kReactLimit));
  json shown;
  REQUIRE(gate.poll_until([&] {
    shown = store_of_page();
    return shown.at("reachable") == false;
  }));
  CHECK(shown.at("fallback") == "local");
  CHECK(shown.at("claims_owed") == 0);
  CHECK(shown.at("releases_owed") == 0);
  CHECK(shown.at("double_uses_24h") == 0);
  CHECK(shown.at("gate_id_shared") == 0);
  CHECK(shown.at("claims_unchecked") == 0);
  CHECK(shown.at("occupancy").is_null());  // never read
  CHECK_FALSE(shown.at("last_error").get<std::string>().empty());

  // passgatectl status tells the same: the same object, the same attention line.
  const auto ctl = gate.ctl({"status", "--json"});
  REQUIRE(ctl.status == 0);
  const json status = json::parse(ctl.output);
  CHECK(status.at("store") == shown);
  const auto attention = json::parse(page.call(drivers::HttpMethod::get, "/status.json").body).at("attention");
  const auto etcd_line = [](const json& lines) {
    for (const auto& line : lines) {
      if (line.get<std::string>().starts_with("the store's etcd does not answer")) return line.get<std::string>();
    }
    return std::string();
  };
  CHECK_FALSE(etcd_line(attention).empty());
  CHECK(etcd_line(attention) == etcd_line(status.at("attention")));
}

TEST_CASE("each event carries one whole snapshot; a change is pushed; a ninth viewer is refused") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const auto port = page_port(gate);
  Viewer viewer(gate.io(), port);
  const auto head = viewer.next("\r\n\r\n");
  REQUIRE(head);
  CHECK(head->find("Content-Type: text/event-stream") != std::string::npos);
  const auto first = viewer.next();
  REQUIRE(first);
  CHECK(first->starts_with("retry: 1000\ndata: {"));
  CHECK(std::count(first->begin(), first->end(), '\n') == 3);  // retry, one data line, the blank line

  rig.set("fire_alarm", true);
  json snapshot;
  do {
    snapshot = viewer.next_snapshot();
  } while (snapshot.at("fire_alarm") == false);
  CHECK(snapshot.at("fire_alarm_cause").at("code") == "alarm_input");
  CHECK(snapshot.at("changed_at_ms").get<std::int64_t>() <= snapshot.at("at_ms").get<std::int64_t>());

  std::vector<std::unique_ptr<Viewer>> more;
  for (std::size_t i = 1; i < daemon::StatusPage::kMaxViewers; ++i) {
    more.push_back(std::make_unique<Viewer>(gate.io(), port));
    REQUIRE(more.back()->next("\r\n\r\n"));
  }
  Viewer ninth(gate.io(), port);
  const auto refused = ninth.next("\r\n\r\n");
  REQUIRE(refused);
  CHECK(refused->starts_with("HTTP/1.1 503"));
}

TEST_CASE("on loopback the page takes new connections as fast as they come") {
  GateHarness gate;
  const auto port = page_port(gate);
  // More than one client's burst and than the burst in all off loopback (StatusPage::kAcceptRate).
  for (int i = 0; i < 60; ++i) {
    tcp::socket socket(gate.io());
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    asio::write(socket, asio::buffer(std::string("GET /status.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
    std::string reply;
    boost::system::error_code ec;
    (void)asio::read(socket, asio::dynamic_buffer(reply), ec);  // until passgated closes it: another process
    INFO("connection " << i << ": " << ec.message());
    REQUIRE(reply.starts_with("HTTP/1.1 200"));
  }
}

}  // namespace
}  // namespace passgate::scenario
