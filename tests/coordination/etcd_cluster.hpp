// EtcdCluster: a real etcd cluster for the coordination tests, started on loopback with TLS
// everywhere (client and peer traffic, client certificates required), as a store runs it.
// Its PKI is made with the openssl command in the test's temp dir: a store CA, one member
// certificate for 127.0.0.1 allowed for server and client use (the JSON gateway connects
// to its own member with it), client certificates for gate arrays, and a foreign CA with a
// certificate of its own for the refusal tests. Members get free ports, wait for nothing
// but what they print ("serving client traffic"), and run under setpriv --pdeathsig KILL,
// so they end with the test process whatever happens to it; the destructor stops them (a
// paused member is resumed first, so it can stop).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "drivers/etcd_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::test {

class EtcdCluster {
 public:
  // Starts `members` members and waits until every one serves clients (a leader is elected).
  explicit EtcdCluster(std::size_t members = 3);
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  [[nodiscard]] std::vector<std::string> endpoints() const;
  [[nodiscard]] std::string endpoint(std::size_t member) const;
  // The members' client ports, in their order (for a proxy in front of them).
  [[nodiscard]] const std::vector<std::uint16_t>& client_ports() const { return client_ports_; }
  // Options of a client for gate array `gate` (its own client certificate, made on first use).
  [[nodiscard]] drivers::EtcdClientOptions client_options(const std::string& gate);
  // The same client, but trusting the foreign CA, or with no client certificate, or with a
  // client certificate the foreign CA issued.
  [[nodiscard]] drivers::EtcdClientOptions wrong_ca_options(const std::string& gate);
  [[nodiscard]] drivers::EtcdClientOptions no_cert_options();
  [[nodiscard]] drivers::EtcdClientOptions foreign_cert_options();

  // Kills member `member` (SIGKILL) and reaps it.
  void kill(std::size_t member);
  [[nodiscard]] bool running(std::size_t member) const { return members_[member] != nullptr; }
  // Stops member `member` where it is (SIGSTOP: it answers nothing, its connections stay
  // open, what is sent to it waits), and lets it go on (SIGCONT).
  void pause(std::size_t member);
  void resume(std::size_t member);
  [[nodiscard]] bool paused(std::size_t member) const { return paused_.at(member); }
  // The member that leads, asked of the running members that are not paused through `io`;
  // nothing if they do not agree on one within `limit`.
  [[nodiscard]] std::optional<std::size_t> leader(boost::asio::io_context& io,
                                                  std::chrono::milliseconds limit = std::chrono::seconds(10));
  // The value of `key` read through `io` (nothing: no such key); throws if the cluster does
  // not answer within `limit`.
  [[nodiscard]] std::optional<std::string> get(boost::asio::io_context& io, const std::string& key,
                                               std::chrono::milliseconds limit = std::chrono::seconds(10));
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  struct Pem {
    std::filesystem::path cert;
    std::filesystem::path key;
  };
  Pem issue(const std::string& stem, const std::string& subject, const std::string& extensions, const std::string& ca);

  TempDir dir_;
  std::vector<std::uint16_t> client_ports_;
  std::vector<std::uint16_t> peer_ports_;
  std::vector<std::unique_ptr<ChildProcess>> members_;
  std::vector<bool> paused_;
};

// Runs `io` until `holds()` is true, looking again every `every` (a timer on the loop, so
// the answers of calls in flight keep being handled); false after `limit`.
[[nodiscard]] bool eventually(boost::asio::io_context& io, const std::function<bool()>& holds,
                              std::chrono::milliseconds every, std::chrono::milliseconds limit);

}  // namespace passgate::test
