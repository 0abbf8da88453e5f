#include "tests/scenario/gate_harness.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include "tests/support/run_until.hpp"

namespace passgate::scenario {

namespace {

using nlohmann::json;

constexpr const char* kIssuer = "https://app.example-retail.com";
constexpr const char* kStore = "store-0042";

sim::IssuerKey generate_key(const std::string& kid) {
  auto key = sim::IssuerKey::generate(sim::IssuerAlg::es256, kid);
  if (!key) FAIL("cannot generate issuer key " << kid << ": " << key.error().message);
  return std::move(key).value();
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  REQUIRE(out.good());
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

GateHarness::GateHarness(GateOptions options)
    : options_(std::move(options)),
      key_(generate_key("key-a")),
      jwks_file_(dir_ / "issuer.jwks.json"),
      config_file_(dir_ / "passgate.toml") {
  REQUIRE(sim::save_jwks(jwks_file_, {&key_}).ok());
  start_tracking();
  write_file(config_file_, config_text());
  if (options_.start_gate) start_gate();
}

GateHarness::~GateHarness() {
  // The gate first: it may be reporting to the simulator until it stops.
  gated_.reset();
  control_client_.reset();
  tracking_.reset();
}

void GateHarness::start_tracking() {
  const auto port_file = dir_ / "tracking.ports";
  tracking_ = std::make_unique<test::ChildProcess>(
      PASSGATE_SIM, std::vector<std::string>{"tracking", "--port", "0", "--control-port", "0", "--port-file",
                                             port_file.string()});
  // It prints this line after writing the port file.
  REQUIRE(tracking_->wait_for_output("tracking simulator: API on", kStartLimit));
  const auto ports = json::parse(read_file(port_file));
  api_port_ = ports.at("port").get<std::uint16_t>();
  control_port_ = ports.at("control_port").get<std::uint16_t>();

  drivers::HttpClientOptions client;
  client.base_url = "http://127.0.0.1:" + std::to_string(control_port_);
  auto created = drivers::HttpClient::create(io_, std::move(client));
  REQUIRE(created.ok());
  control_client_ = std::move(created).value();
}

std::string GateHarness::config_text() const {
  std::ostringstream toml;
  toml << "store_id = \"" << kStore << "\"\n"
       << "gate_id = \"gate-scenario\"\n\n"
       << "[tokens]\n"
       << "issuer = \"" << kIssuer << "\"\n"
       << "keyset = \"" << jwks_file_.string() << "\"\n\n";
  for (const int lane : kEntryLanes) {
    toml << "[[lanes]]\nnumber = " << lane << "\nkind = \"entry\"\ngroup_limit = 4\n\n";
  }
  toml << "[[lanes]]\nnumber = " << kExitLane << "\nkind = \"exit\"\n\n"
       << "[io]\nbackend = \"sim\"\n\n"
       << "[io.sim]\n"
       << "socket = \"" << rig_socket().string() << "\"\n"
       << "debounce_ms = " << kDebounce.count() << "\n\n"
       << "[tracking]\n"
       << "base_url = \"http://127.0.0.1:" << api_port_ << "\"\n"
       << "entry_timeout_ms = 2000\n\n"
       << "[offline]\n"
       << "policy = \"" << options_.offline_policy << "\"\n"
       << "max_admissions_per_hour = 10\n\n"
       << "[database]\n"
       << "path = \"" << (dir_ / "passgate.db").string() << "\"\n\n"
       << "[logging]\nlevel = \"info\"\n";
  return toml.str();
}

void GateHarness::start_gate() {
  REQUIRE(gated_ == nullptr);
  gated_ = std::make_unique<test::ChildProcess>(PASSGATED,
                                                std::vector<std::string>{"--config", config_file_.string()});
  const bool ready = gated_->wait_for_output("passgated ready", kStartLimit);
  INFO("passgated said:\n" << gated_->output());
  REQUIRE(ready);
}

void GateHarness::stop_gate() {
  REQUIRE(gated_ != nullptr);
  gated_->signal(SIGTERM);
  const auto status = gated_->wait_exit(kStartLimit);
  INFO("passgated said:\n" << gated_->output());
  REQUIRE(status == 0);
  gated_.reset();
}

std::string GateHarness::mint(const std::string& shopper, sim::TokenFlaw flaw) const {
  return mint_with(key_, shopper, flaw);
}

std::string GateHarness::mint_with(const sim::IssuerKey& key, const std::string& shopper, sim::TokenFlaw flaw) const {
  sim::TokenSpec spec;
  spec.issuer = kIssuer;
  spec.audience = kStore;
  spec.subject = shopper;
  spec.now = unix_now();
  spec.group = 1;
  spec.flaw = flaw;
  return sim::mint_token(key, spec);
}

controller::HttpReply GateHarness::control(drivers::HttpMethod method, const std::string& target, std::string body) {
  auto reply = test::await_reply<controller::HttpReply>(
      io_,
      [&](std::function<void(controller::HttpReply)> done) {
        control_client_->request(method, target, std::move(body), 5s, std::move(done));
      },
      kReactLimit);
  REQUIRE(reply.has_value());
  INFO(target << " answered " << reply->status << ": " << reply->body << reply->error);
  REQUIRE(reply->status == 200);
  return *reply;
}

void GateHarness::set_tracking_fault(const std::string& mode) {
  (void)control(drivers::HttpMethod::post, "/control/fault", json{{"mode", mode}}.dump());
}

json GateHarness::tracking_state() {
  return json::parse(control(drivers::HttpMethod::get, "/control/state", {}).body);
}

bool GateHarness::wait_for_tracking(const std::function<bool(const json&)>& holds, std::chrono::milliseconds limit) {
  return poll_until([&] { return holds(tracking_state()); }, limit);
}

json GateHarness::gate_status() {
  test::ChildProcess ctl(PASSGATECTL,
                         {"status", "--config", config_file_.string(), "--json", "--sessions"});
  // Its one line of JSON ends the output; then its exit status.
  const bool printed = ctl.wait_for_output("}\n", kReactLimit);
  const auto status = ctl.wait_exit(kReactLimit);
  INFO("passgatectl status said:\n" << ctl.output());
  REQUIRE(printed);
  REQUIRE(status == 0);
  return json::parse(ctl.output());
}

bool GateHarness::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  return test::run_until(io_, done, limit);
}

void GateHarness::run_for(std::chrono::milliseconds duration) {
  boost::asio::steady_timer timer(io_, duration);
  bool expired = false;
  timer.async_wait([&expired](const boost::system::error_code&) { expired = true; });
  REQUIRE(run_until([&expired] { return expired; }, duration + kReactLimit));
}

bool GateHarness::poll_until(const std::function<bool()>& holds, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    run_for(50ms);
  }
  return true;
}

json find_by(const json& list, const std::string& key, const std::string& value) {
  for (const auto& item : list) {
    if (item.contains(key) && item.at(key).is_string() && item.at(key).get<std::string>() == value) return item;
  }
  return nullptr;
}

}  // namespace passgate::scenario
