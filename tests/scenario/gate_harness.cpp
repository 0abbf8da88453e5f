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

void write_secret(const std::filesystem::path& file, const std::string& bytes) {
  write_file(file, bytes);
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

constexpr const char* kGatewayKey = "sk_test_scenario";

struct Ports {
  std::uint16_t api = 0;
  std::uint16_t control = 0;
};

// Starts a simulator that writes its ports to `port_file` and prints `ready_line` then.
Ports start_simulator(std::unique_ptr<test::ChildProcess>& child, std::vector<std::string> args,
                      const std::filesystem::path& port_file, const std::string& ready_line,
                      const std::string& reader = {}) {
  std::filesystem::remove(port_file);
  args.insert(args.end(), {"--port-file", port_file.string()});
  if (!reader.empty()) args.insert(args.end(), {"--reader", reader});
  child = std::make_unique<test::ChildProcess>(PASSGATE_SIM, std::move(args));
  REQUIRE(child->wait_for_output(ready_line, kStartLimit));
  const auto ports = json::parse(read_file(port_file));
  return Ports{ports.at("port").get<std::uint16_t>(), ports.at("control_port").get<std::uint16_t>()};
}

std::unique_ptr<drivers::HttpClient> control_client(boost::asio::io_context& io, std::uint16_t port) {
  drivers::HttpClientOptions client;
  client.base_url = "http://127.0.0.1:" + std::to_string(port);
  auto created = drivers::HttpClient::create(io, std::move(client));
  REQUIRE(created.ok());
  return std::move(created).value();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A flawless token for `shopper`, group 1, minted now.
sim::TokenSpec token_spec(const std::string& shopper) {
  sim::TokenSpec spec;
  spec.issuer = kIssuer;
  spec.audience = kStore;
  spec.subject = shopper;
  spec.now = unix_now();
  spec.group = 1;
  return spec;
}

}  // namespace

GateHarness::GateHarness(GateOptions options)
    : options_(std::move(options)),
      key_(generate_key("key-a")),
      jwks_file_(dir_ / "issuer.jwks.json"),
      config_file_(dir_ / "passgate.toml") {
  REQUIRE(sim::save_jwks(jwks_file_, {&key_}).ok());
  write_secret(dir_ / "gateway.key", std::string(kGatewayKey) + "\n");
  write_secret(dir_ / "seal.key", std::string(32, 's'));
  start_tracking();
  start_gateway();
  write_file(config_file_, config_text());
  if (options_.faked_clock_offset) {
    faked_clock_ = std::make_unique<FakedClock>(dir_ / "faketime.rc", *options_.faked_clock_offset);
  }
  if (options_.start_gate) start_gate();
}

GateHarness::~GateHarness() {
  // The gate first: it may be reporting to the simulator until it stops.
  gated_.reset();
  control_client_.reset();
  gateway_control_.reset();
  tracking_.reset();
  gateway_.reset();
}

void GateHarness::start_tracking() {
  const Ports ports = start_simulator(tracking_, {"tracking", "--port", "0", "--control-port", "0"},
                                      dir_ / "tracking.ports", "tracking simulator: API on");
  api_port_ = ports.api;
  control_port_ = ports.control;
  control_client_ = control_client(io_, control_port_);
}

void GateHarness::start_gateway() {
  // The same ports again after a restart, so the gate's config stays true.
  const Ports ports = start_simulator(
      gateway_,
      {"gateway", "--port", std::to_string(gateway_port_), "--control-port", std::to_string(gateway_control_port_),
       "--api-key-file", (dir_ / "gateway.key").string()},
      dir_ / "gateway.ports", "gateway simulator: API on", options_.card_reader);
  gateway_port_ = ports.api;
  gateway_control_port_ = ports.control;
  gateway_control_ = control_client(io_, gateway_control_port_);
}

void GateHarness::restart_gateway() {
  gateway_control_.reset();
  gateway_->signal(SIGKILL);
  (void)gateway_->wait_exit(kStartLimit);
  gateway_.reset();
  start_gateway();
}

std::string GateHarness::config_text() const {
  std::ostringstream toml;
  toml << "store_id = \"" << kStore << "\"\n"
       << "gate_id = \"" << options_.gate_id << "\"\n\n"
       << "[tokens]\n"
       << "issuer = \"" << kIssuer << "\"\n"
       << "keyset = \"" << (options_.keyset.empty() ? jwks_file_ : options_.keyset).string() << "\"\n\n";
  for (const int lane : kEntryLanes) {
    toml << "[[lanes]]\nnumber = " << lane << "\nkind = \"entry\"\ngroup_limit = 4\n";
    if (lane == 1 && !options_.card_reader.empty()) toml << "terminal_reader = \"" << options_.card_reader << "\"\n";
    toml << "\n";
  }
  toml << "[[lanes]]\nnumber = " << kExitLane << "\nkind = \"exit\"\n\n"
       << "[io]\nbackend = \"sim\"\n\n"
       << "[io.sim]\n"
       << "socket = \"" << rig_socket().string() << "\"\n"
       << "debounce_ms = " << kDebounce.count() << "\n\n"
       << "[tracking]\n"
       << "base_url = \"http://127.0.0.1:" << tracking_port_.value_or(api_port_) << "\"\n"
       << "entry_timeout_ms = 2000\n\n"
       << "[offline]\n"
       << "policy = \"" << options_.offline_policy << "\"\n"
       << "max_admissions_per_hour = 10\n\n"
       << "[payments]\n"
       << "gateway_url = \"http://127.0.0.1:" << gateway_port_ << "\"\n"
       << "api_key_file = \"" << (dir_ / "gateway.key").string() << "\"\n"
       << "seal_key_file = \"" << (dir_ / "seal.key").string() << "\"\n"
       << "hold_amount_minor = " << options_.hold_amount_minor << "\n"
       << "request_timeout_ms = 2000\n"
       << "retry_initial_ms = 200\n"
       << "retry_max_ms = 2000\n"
       << "carts_poll_interval_ms = 200\n\n"
       << (options_.card_reader.empty() ? "" : "[terminal]\npoll_fast_ms = 250\npoll_slow_ms = 250\n\n")
       << "[database]\n"
       << "path = \"" << (dir_ / "passgate.db").string() << "\"\n\n"
       << "[control]\n"
       << "socket = \"" << control_socket().string() << "\"\n\n"
       << "[metrics]\nlisten = \"127.0.0.1:0\"\n\n"
       << "[status_page]\n" << (options_.status_page.empty() ? "listen = \"127.0.0.1:0\"\n" : options_.status_page)
       << "\n"
       << "[logging]\nlevel = \"" << options_.log_level << "\"\n"
       << (options_.store_section.empty() ? "" : "\n[store]\n" + options_.store_section);
  return toml.str();
}

void GateHarness::use_tracking_port(std::uint16_t port) {
  REQUIRE(gated_ == nullptr);
  tracking_port_ = port;
  write_file(config_file_, config_text());
}

void GateHarness::start_gate() {
  REQUIRE(gated_ == nullptr);
  gated_ = std::make_unique<test::ChildProcess>(
      PASSGATED, std::vector<std::string>{"--config", config_file_.string()},
      faked_clock_ ? faked_clock_->environment() : std::vector<std::string>{});
  const bool ready = gated_->wait_for_output("event=ready ", kStartLimit);
  INFO("passgated said:\n" << gated_->output());
  REQUIRE(ready);
}

FakedClock& GateHarness::faked_clock() {
  REQUIRE(faked_clock_ != nullptr);
  return *faked_clock_;
}

void GateHarness::stop_gate() {
  REQUIRE(gated_ != nullptr);
  gated_->signal(SIGTERM);
  const auto status = gated_->wait_exit(kStartLimit);
  INFO("passgated said:\n" << gated_->output());
  REQUIRE(status == 0);
  gated_.reset();
}

void GateHarness::kill_gate() {
  REQUIRE(gated_ != nullptr);
  gated_->signal(SIGKILL);
  (void)gated_->wait_exit(kStartLimit);
  gated_.reset();
}

db::QueueTotals GateHarness::queue_totals() const {
  auto database = db::Database::open(database_file());
  REQUIRE(database.ok());
  db::PaymentQueue queue(**database);
  auto totals = queue.totals();
  REQUIRE(totals.ok());
  return *totals;
}

sim::TokenSpec GateHarness::spec_for(const std::string& shopper) const { return token_spec(shopper); }

std::string GateHarness::mint_paying(const std::string& shopper, const std::string& payment_method) const {
  sim::TokenSpec spec = token_spec(shopper);
  spec.payment_method = payment_method;
  return sim::mint_token(key_, spec);
}

std::string GateHarness::mint(const std::string& shopper, sim::TokenFlaw flaw) const {
  return mint_with(key_, shopper, flaw);
}

std::string GateHarness::mint_with(const sim::IssuerKey& key, const std::string& shopper, sim::TokenFlaw flaw) const {
  sim::TokenSpec spec = token_spec(shopper);
  spec.flaw = flaw;
  return sim::mint_token(key, spec);
}

passgate::HttpReply GateHarness::control(drivers::HttpClient& client, drivers::HttpMethod method,
                                           const std::string& target, std::string body) {
  auto reply = test::await_reply<passgate::HttpReply>(
      io_,
      [&](std::function<void(passgate::HttpReply)> done) {
        client.request(method, target, std::move(body), 5s, std::move(done));
      },
      kReactLimit);
  REQUIRE(reply.has_value());
  INFO(target << " answered " << reply->status << ": " << reply->body << reply->error);
  REQUIRE(reply->status == 200);
  return *reply;
}

void GateHarness::set_tracking_fault(const std::string& mode, std::chrono::milliseconds delay) {
  json body{{"mode", mode}};
  if (delay.count() > 0) body["delay_ms"] = delay.count();
  (void)control(*control_client_, drivers::HttpMethod::post, "/control/fault", body.dump());
}

json GateHarness::tracking_state() {
  return json::parse(control(*control_client_, drivers::HttpMethod::get, "/control/state", {}).body);
}

void GateHarness::finalize_cart(const std::string& session_id, std::int64_t total_minor) {
  json items = json::array();
  if (total_minor > 0) items.push_back({{"sku", "000001"}, {"name", "Groceries"}, {"qty", 1}, {"unit_minor", total_minor}});
  (void)control(*control_client_, drivers::HttpMethod::post, "/control/finalize",
                json{{"session_id", session_id}, {"currency", "USD"}, {"items", items}}.dump());
}

void GateHarness::finalize_hostile_cart(const std::string& session_id, const std::string& currency,
                                        const json& total_minor) {
  (void)control(*control_client_, drivers::HttpMethod::post, "/control/finalize",
                json{{"session_id", session_id}, {"currency", currency}, {"total_minor", total_minor}}.dump());
}

void GateHarness::set_gateway_fault(const std::string& mode, const json& settings) {
  json body = settings;
  body["mode"] = mode;
  (void)control(*gateway_control_, drivers::HttpMethod::post, "/control/fault", body.dump());
}

json GateHarness::gateway_ledger() {
  return json::parse(control(*gateway_control_, drivers::HttpMethod::get, "/control/ledger", {}).body);
}

int GateHarness::tap_card(const std::string& reader, const std::string& card) {
  auto reply = test::await_reply<passgate::HttpReply>(
      io_,
      [&](std::function<void(passgate::HttpReply)> done) {
        gateway_control_->request(drivers::HttpMethod::post, "/control/readers/" + reader + "/tap",
                                  json{{"card", card}}.dump(), 5s, std::move(done));
      },
      kReactLimit);
  REQUIRE(reply.has_value());
  return reply->status;
}

void GateHarness::set_reader_fault(const std::string& reader, const std::string& fault) {
  (void)control(*gateway_control_, drivers::HttpMethod::post, "/control/readers/" + reader,
                json{{"fault", fault}}.dump());
}

json GateHarness::gate_lane(int lane) {
  const CtlResult lanes = ctl({"lanes", "--json"});
  INFO("passgatectl lanes said:\n" << lanes.output);
  REQUIRE(lanes.status == 0);
  const json reply = json::parse(lanes.output);
  for (const auto& item : reply.at("lanes")) {
    if (item.value("lane", 0) == lane) return item;
  }
  return nullptr;
}

bool GateHarness::wait_for_tracking(const std::function<bool(const json&)>& holds, std::chrono::milliseconds limit) {
  return poll_until([&] { return holds(tracking_state()); }, limit);
}

json GateHarness::gate_sessions() {
  test::ChildProcess ctl(PASSGATECTL,
                         {"sessions", "--config", config_file_.string(), "--all", "--limit", "0", "--json"});
  // Its one line of JSON ends the output; then its exit status.
  const bool printed = ctl.wait_for_output("}\n", kReactLimit);
  const auto status = ctl.wait_exit(kReactLimit);
  INFO("passgatectl sessions said:\n" << ctl.output());
  REQUIRE(printed);
  REQUIRE(status == 0);
  return json::parse(ctl.output());
}

GateHarness::CtlResult GateHarness::ctl(std::vector<std::string> args) {
  args.push_back("--config");
  args.push_back(config_file_.string());
  test::ChildProcess program(PASSGATECTL, args);
  const auto status = program.wait_exit(kReactLimit);
  INFO("passgatectl said:\n" << program.output());
  REQUIRE(status.has_value());
  return CtlResult{*status, program.output()};
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
