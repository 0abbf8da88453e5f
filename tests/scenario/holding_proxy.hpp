// HoldingProxy: the network between one gate array and its store's etcd cluster, for the
// store crash scenarios: one loopback TLS listener per member, each forwarding to that member.
// It ends TLS on both sides (to the gate as a member, with the cluster's member certificate;
// to the member as the gate, with the gate's client certificate), so what it holds is HTTP,
// never a handshake: the test decides what the network does with the requests and answers:
// pass them, hold what the gate sends (the requests are in flight, etcd has seen nothing), or
// hold what etcd answers (etcd carried a request out, the gate has not heard). Held bytes are
// sent on by pass() (to a member even if the gate that sent them is gone: a late delivery,
// also after the newer requests pass_new() lets through),
// or thrown away with their connections by drop_held() (the network lost them). Each
// connection holds at most kMaxHeldBytes each way (more closes it).
// The proxy runs its own io_context on its own thread, so it forwards while the test's loop
// waits for something else (a passgatectl run, another gate's harness); the test thread only
// calls the methods below, each of which is done on the proxy's thread before it returns.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/coordination/etcd_cluster.hpp"

namespace passgate::scenario {

class HoldingProxy {
 public:
  static constexpr std::size_t kMaxHeldBytes = 1 << 20;

  // One listener (a free loopback port) per member of `cluster`, forwarding as gate array `gate`.
  HoldingProxy(test::EtcdCluster& cluster, const std::string& gate);
  ~HoldingProxy();
  HoldingProxy(const HoldingProxy&) = delete;
  HoldingProxy& operator=(const HoldingProxy&) = delete;

  // "https://127.0.0.1:<listener>", one per member, in the members' order.
  [[nodiscard]] std::vector<std::string> endpoints() const;

  // From now on, what the gate sends is held (connections are still accepted and made), and
  // only that: answers held before are sent on.
  void hold_requests();
  // From now on, what etcd answers is held, and only that: requests held before are sent on.
  void hold_answers();
  // Sends on everything held and forwards from now on.
  void pass();
  // Keeps what is held now held (until pass() or drop_held()) and forwards everything else
  // from now on: requests sent before are delivered late, after newer ones.
  void pass_new();
  // Closes every connection holding bytes, without sending them on.
  void drop_held();
  // Bytes held now, each way, over all connections.
  [[nodiscard]] std::size_t requests_held() const { return requests_held_.load(); }
  [[nodiscard]] std::size_t answers_held() const { return answers_held_.load(); }
  // Answers etcd sent to a gate that was gone by then (to requests delivered late), so far.
  [[nodiscard]] std::size_t answers_to_gone_gates() const { return answers_to_gone_.load(); }

  struct Link;  // one proxied connection; in holding_proxy.cpp
  struct Pipe;  // one direction of it

 private:
  void accept(std::size_t listener);
  // Runs `work` on the proxy's thread and waits for it.
  void on_proxy(const std::function<void()>& work);
  void flush_all();

  // Before io_: the connections its handlers hold use them until it is gone.
  boost::asio::ssl::context as_member_;
  boost::asio::ssl::context as_gate_;
  boost::asio::io_context io_;
  struct Listener;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::weak_ptr<Link>> links_;
  bool holding_requests_ = false;
  bool holding_answers_ = false;
  std::atomic<std::size_t> requests_held_{0};
  std::atomic<std::size_t> answers_held_{0};
  std::atomic<std::size_t> answers_to_gone_{0};
  std::thread thread_;
};

}  // namespace passgate::scenario
