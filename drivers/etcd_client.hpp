// EtcdClient: the store's etcd cluster through its v3 JSON gateway (HTTP/1.1 over TLS with
// this box's client certificate, verified against the store's CA), implementing the
// coordination port (ports/store_kv.hpp). Single-threaded, on the daemon's
// io_context; each callback runs once on it, never inside the call.
//
// - Several members' endpoints: a call goes to the member that answered last; on a connect
//   failure, a time-out or a 5xx (no leader, no quorum) it tries the next, each at most once,
//   all within the call's own timeout. A member that failed is not asked first next time.
//   With no quorum a member holds a request for about 7 s: the timeout, not etcd, ends it.
// - Writes are safe to send again: a claim that finds its own value is the caller's to
//   recognise (coordination resolves it), puts and deletes are idempotent, a second lease
//   grant only leaves a lease to expire unused.
// - Every answer is bounded (EtcdClientOptions::max_answer_bytes, through HttpClient) and
//   checked (drivers/etcd_response.hpp): its shape, the keys asked for, the cluster (every
//   member must answer with the cluster id the first answer had) and the revision (never
//   below one already seen when the call was made: no stale member's view).
// - Destroying the client abandons the calls in flight without calling them back.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "ports/store_kv.hpp"
#include "drivers/etcd_response.hpp"
#include "drivers/tls_context.hpp"

namespace boost::asio {
class io_context;
}

namespace passgate::drivers {

class HttpClient;

struct EtcdClientOptions {
  std::vector<std::string> endpoints;  // "https://10.20.0.11:2379", one per member
  TlsClientFiles tls;                  // the store CA, this box's certificate and key
  std::size_t max_answer_bytes = 64 * 1024;
};

class EtcdClient final : public StoreKv {
 public:
  // Error codes: "bad_url" (no endpoint, or one not https; plain http only to loopback)
  // and those of HttpClient::create.
  [[nodiscard]] static Result<std::unique_ptr<EtcdClient>> create(boost::asio::io_context& io,
                                                                  EtcdClientOptions options);
  ~EtcdClient() override;
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  void grant_lease(std::chrono::seconds ttl, Millis timeout,
                   std::function<void(Result<StoreLease>)> done) override;
  void claim(const std::string& key, const std::string& value, std::int64_t lease, const std::string& fence,
             Millis timeout, std::function<void(Result<ClaimAnswer>)> done) override;
  void claim_two(const KeyClaim& first, const KeyClaim& second, const std::array<std::string, 2>& fences,
                 Millis timeout, std::function<void(Result<ClaimTwoAnswer>)> done) override;
  void get(const std::string& key, Millis timeout,
           std::function<void(Result<std::optional<std::string>>)> done) override;
  void put(const std::string& key, const std::string& value, std::int64_t lease, Millis timeout,
           std::function<void(Status)> done) override;
  void remove(const std::string& key, Millis timeout, std::function<void(Result<bool>)> done) override;
  void remove_if(const std::string& key, const std::string& value, Millis timeout,
                 std::function<void(Result<bool>)> done) override;
  void release(const std::string& key, const std::string& value, const KeyClaim& fence, Millis timeout,
               std::function<void(Result<bool>)> done) override;
  void range(const std::string& prefix, std::size_t limit, Millis timeout,
             std::function<void(Result<std::vector<StoreKeyValue>>)> done) override;
  void count(const std::string& prefix, Millis timeout, std::function<void(Result<std::int64_t>)> done) override;

  // One member's view, asked of endpoint `index` alone (reachability and leader, for
  // check-config and metrics).
  void status(std::size_t index, Millis timeout, std::function<void(Result<etcd::Answer<etcd::MemberStatus>>)> done);
  [[nodiscard]] const std::vector<std::string>& endpoints() const;

  struct Core;  // the endpoints' HTTP clients and what the answers taught; in etcd_client.cpp

 private:
  explicit EtcdClient(std::unique_ptr<Core> core);
  std::unique_ptr<Core> core_;
};

}  // namespace passgate::drivers
