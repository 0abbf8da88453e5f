#include "tests/coordination/etcd_cluster.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tests/support/run_until.hpp"

namespace passgate::test {
namespace {

// A port the kernel picked as free just now (bound, then closed, then given to etcd).
std::uint16_t free_port(boost::asio::io_context& io) {
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

void make_ca(const std::filesystem::path& dir, const std::string& stem) {
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=" + stem + " -keyout " +
      (dir / (stem + ".key")).string() + " -out " + (dir / (stem + ".pem")).string());
}

std::string url(std::uint16_t port) { return "https://127.0.0.1:" + std::to_string(port); }

}  // namespace

bool eventually(boost::asio::io_context& io, const std::function<bool()>& holds, std::chrono::milliseconds every,
                std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    bool rang = false;
    boost::asio::steady_timer timer(io, every);
    timer.async_wait([&rang](const boost::system::error_code&) { rang = true; });
    if (!run_until(io, [&rang] { return rang; }, every + std::chrono::seconds(30))) return false;
  }
  return true;
}

EtcdCluster::EtcdCluster(std::size_t members) {
  const auto& d = dir_.path();
  make_ca(d, "store-ca");
  make_ca(d, "foreign-ca");
  const auto member = issue("member", "member", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                                "extendedKeyUsage=serverAuth,clientAuth", "store-ca");
  boost::asio::io_context io;
  std::string initial;
  for (std::size_t i = 0; i < members; ++i) {
    client_ports_.push_back(free_port(io));
    peer_ports_.push_back(free_port(io));
    initial += (i == 0 ? "" : ",") + ("n" + std::to_string(i)) + "=" + url(peer_ports_[i]);
  }
  const auto ca = (d / "store-ca.pem").string();
  for (std::size_t i = 0; i < members; ++i) {
    const auto name = "n" + std::to_string(i);
    members_.push_back(std::make_unique<ChildProcess>(
        "/usr/bin/setpriv",
        std::vector<std::string>{
            "--pdeathsig", "KILL", "/usr/bin/etcd", "--name", name, "--data-dir", (d / name).string(),
            "--listen-peer-urls", url(peer_ports_[i]), "--initial-advertise-peer-urls", url(peer_ports_[i]),
            "--listen-client-urls", url(client_ports_[i]), "--advertise-client-urls", url(client_ports_[i]),
            "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token",
            d.filename().string(),
            // Elections in about a second, yet no false ones on a loaded machine.
            "--heartbeat-interval", "100", "--election-timeout", "1000", "--logger", "zap", "--log-outputs",
            "stderr", "--cert-file", member.cert.string(), "--key-file", member.key.string(), "--trusted-ca-file",
            ca, "--client-cert-auth", "--peer-cert-file", member.cert.string(), "--peer-key-file",
            member.key.string(), "--peer-trusted-ca-file", ca, "--peer-client-cert-auth"}));
  }
  paused_.assign(members, false);
  for (auto& m : members_) {
    if (!m->wait_for_output("serving client traffic securely", std::chrono::seconds(30))) {
      throw std::runtime_error("an etcd member did not start serving: " + m->output());
    }
  }
}

EtcdCluster::~EtcdCluster() {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (paused_[i]) resume(i);
  }
}

EtcdCluster::Pem EtcdCluster::issue(const std::string& stem, const std::string& subject, const std::string& extensions,
                                    const std::string& ca) {
  const auto& d = dir_.path();
  const auto cert = d / (stem + ".pem");
  const auto key = d / (stem + ".key");
  if (std::filesystem::exists(cert)) return {cert, key};
  {
    std::ofstream ext(d / (stem + ".ext"));
    ext << extensions << '\n';
  }
  run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + subject + " -keyout " +
      key.string() + " -out " + (d / (stem + ".csr")).string());
  run("openssl x509 -req -days 2 -in " + (d / (stem + ".csr")).string() + " -CA " + (d / (ca + ".pem")).string() +
      " -CAkey " + (d / (ca + ".key")).string() + " -CAcreateserial -out " + cert.string() + " -extfile " +
      (d / (stem + ".ext")).string());
  return {cert, key};
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const auto port : client_ports_) out.push_back(url(port));
  return out;
}

std::string EtcdCluster::endpoint(std::size_t member) const { return url(client_ports_.at(member)); }

drivers::EtcdClientOptions EtcdCluster::client_options(const std::string& gate) {
  const auto pem = issue("client-" + gate, gate, "extendedKeyUsage=clientAuth", "store-ca");
  return {endpoints(), {dir() / "store-ca.pem", pem.cert, pem.key}};
}

drivers::EtcdClientOptions EtcdCluster::wrong_ca_options(const std::string& gate) {
  auto options = client_options(gate);
  options.tls.ca_bundle = dir() / "foreign-ca.pem";
  return options;
}

drivers::EtcdClientOptions EtcdCluster::no_cert_options() { return {endpoints(), {dir() / "store-ca.pem", {}, {}}}; }

drivers::EtcdClientOptions EtcdCluster::foreign_cert_options() {
  const auto pem = issue("client-foreign", "intruder", "extendedKeyUsage=clientAuth", "foreign-ca");
  return {endpoints(), {dir() / "store-ca.pem", pem.cert, pem.key}};
}

void EtcdCluster::kill(std::size_t member) {
  auto& m = members_.at(member);
  if (!m) return;
  m->signal(SIGKILL);
  (void)m->wait_exit(std::chrono::seconds(10));
  m.reset();
  paused_[member] = false;
}

void EtcdCluster::pause(std::size_t member) {
  auto& m = members_.at(member);
  if (!m || paused_[member]) return;
  m->signal(SIGSTOP);
  paused_[member] = true;
}

void EtcdCluster::resume(std::size_t member) {
  auto& m = members_.at(member);
  if (!m || !paused_[member]) return;
  m->signal(SIGCONT);
  paused_[member] = false;
}

std::optional<std::string> EtcdCluster::get(boost::asio::io_context& io, const std::string& key,
                                            std::chrono::milliseconds limit) {
  auto client = drivers::EtcdClient::create(io, client_options("harness"));
  if (!client) throw std::runtime_error(client.error().message);
  std::optional<Result<std::optional<std::string>>> answer;
  (*client)->get(key, limit, [&answer](Result<std::optional<std::string>> got) { answer = std::move(got); });
  if (!run_until(io, [&answer] { return answer.has_value(); }, limit + std::chrono::seconds(5)) || !answer->ok()) {
    throw std::runtime_error("etcd did not answer a read of " + key);
  }
  return std::move(answer->value());
}

std::optional<std::size_t> EtcdCluster::leader(boost::asio::io_context& io, std::chrono::milliseconds limit) {
  auto client = drivers::EtcdClient::create(io, client_options("harness"));
  if (!client) throw std::runtime_error(client.error().message);
  std::optional<std::size_t> found;
  const auto agreed = eventually(
      io,
      [&] {
        // Every running member's view, asked anew each round.
        std::vector<std::optional<drivers::etcd::Answer<drivers::etcd::MemberStatus>>> views(members_.size());
        std::size_t waiting = 0;
        for (std::size_t i = 0; i < members_.size(); ++i) {
          if (!members_[i] || paused_[i]) continue;
          ++waiting;
          (*client)->status(i, std::chrono::milliseconds(500), [&views, &waiting, i](auto answer) {
            --waiting;
            if (answer) views[i] = answer.value();
          });
        }
        if (!run_until(io, [&waiting] { return waiting == 0; }, std::chrono::seconds(5))) return false;
        std::optional<std::uint64_t> leader_id;
        for (std::size_t i = 0; i < members_.size(); ++i) {
          if (!members_[i] || paused_[i]) continue;
          if (!views[i] || views[i]->value.leader == 0) return false;
          if (leader_id && *leader_id != views[i]->value.leader) return false;
          leader_id = views[i]->value.leader;
        }
        for (std::size_t i = 0; i < members_.size(); ++i) {
          if (views[i] && views[i]->header.member_id == leader_id) found = i;
        }
        return found.has_value();
      },
      std::chrono::milliseconds(100), limit);
  if (!agreed) return std::nullopt;
  return found;
}

}  // namespace passgate::test
