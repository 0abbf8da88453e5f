#include "drivers/etcd_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "drivers/etcd_request.hpp"
#include "drivers/http_client.hpp"

namespace passgate::drivers {

namespace {

// One call of the client: its request, the members left to try and where its answer goes.
template <class T>
struct EtcdCall {
  const char* path = nullptr;
  std::string body;
  std::chrono::steady_clock::time_point deadline;
  std::size_t first = 0;  // the member asked first
  std::size_t limit = 0;  // how many members may be asked
  std::size_t tried = 0;
  std::int64_t min_revision = 0;  // the highest revision seen when the call was made
  std::function<Result<etcd::Answer<T>>(std::string_view)> read;
  std::function<void(Result<T>)> done;
  std::string failures;  // what each member asked did, for the "unavailable" message
};

}  // namespace

struct EtcdClient::Core {
  boost::asio::io_context& io;
  std::vector<std::string> endpoints;
  std::vector<std::unique_ptr<HttpClient>> clients;
  std::size_t preferred = 0;       // the member that answered last
  std::uint64_t cluster_id = 0;    // of the first answer; every later one must match
  std::int64_t revision_seen = 0;  // the highest revision any answer had
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  explicit Core(boost::asio::io_context& context) : io(context) {}

  template <class T>
  void call(const char* path, std::string body, Millis timeout,
            std::function<Result<etcd::Answer<T>>(std::string_view)> read, std::function<void(Result<T>)> done,
            std::optional<std::size_t> only = std::nullopt) {
    auto c = std::make_shared<EtcdCall<T>>();
    c->path = path;
    c->body = std::move(body);
    c->deadline = std::chrono::steady_clock::now() + timeout;
    c->first = only.value_or(preferred);
    c->limit = only ? 1 : clients.size();
    c->min_revision = revision_seen;
    c->read = std::move(read);
    c->done = std::move(done);
    attempt(std::move(c));
  }

  template <class T>
  void attempt(std::shared_ptr<EtcdCall<T>> c) {
    const auto now = std::chrono::steady_clock::now();
    if (c->tried == c->limit || now >= c->deadline) {
      auto error = make_error("unavailable", "etcd: no member answered in time" + c->failures);
      boost::asio::post(io, [weak = std::weak_ptr<int>(alive), c, error = std::move(error)]() mutable {
        if (!weak.expired()) c->done(std::move(error));
      });
      return;
    }
    const auto index = (c->first + c->tried) % clients.size();
    ++c->tried;
    const auto remaining = std::chrono::ceil<Millis>(c->deadline - now);
    clients[index]->request(HttpMethod::post, c->path, c->body, remaining, [this, c, index](HttpReply reply) {
      if (reply.status == 200) {
        finish(*c, index, reply.body);
        return;
      }
      if (reply.unreachable()) {
        c->failures += "; " + endpoints[index] + ": " +
                       (reply.status == 0 ? reply.error : etcd::read_error(reply.status, reply.body).message);
        if (preferred == index) preferred = (index + 1) % clients.size();
        attempt(c);
        return;
      }
      c->done(etcd::read_error(reply.status, reply.body));
    });
  }

  template <class T>
  void finish(EtcdCall<T>& c, std::size_t index, std::string_view body) {
    auto answer = c.read(body);
    if (!answer) {
      c.done(make_error(answer.error().code, endpoints[index] + ": " + answer.error().message));
      return;
    }
    const auto& header = answer->header;
    if (cluster_id != 0 && header.cluster_id != cluster_id) {
      c.done(make_error("bad_answer", endpoints[index] + " answered for another cluster (" +
                                          std::to_string(header.cluster_id) + ")"));
      return;
    }
    if (header.revision < c.min_revision) {
      c.done(make_error("bad_answer", endpoints[index] + " is behind the cluster: revision " +
                                          std::to_string(header.revision) + " < " + std::to_string(c.min_revision)));
      return;
    }
    cluster_id = header.cluster_id;
    revision_seen = std::max(revision_seen, header.revision);
    preferred = index;
    c.done(std::move(answer->value));
  }
};

Result<std::unique_ptr<EtcdClient>> EtcdClient::create(boost::asio::io_context& io, EtcdClientOptions options) {
  if (options.endpoints.empty()) return make_error("bad_url", "etcd: no endpoint");
  auto core = std::make_unique<Core>(io);
  for (auto& endpoint : options.endpoints) {
    HttpClientOptions http;
    http.base_url = endpoint;
    http.tls = options.tls;
    http.max_body_bytes = options.max_answer_bytes;
    http.max_idle_connections = 2;
    auto client = HttpClient::create(io, std::move(http));
    if (!client) return make_error(client.error().code, "etcd endpoint " + endpoint + ": " + client.error().message);
    core->clients.push_back(std::move(client.value()));
    core->endpoints.push_back(std::move(endpoint));
  }
  return std::unique_ptr<EtcdClient>(new EtcdClient(std::move(core)));
}

EtcdClient::EtcdClient(std::unique_ptr<Core> core) : core_(std::move(core)) {}
EtcdClient::~EtcdClient() = default;

const std::vector<std::string>& EtcdClient::endpoints() const { return core_->endpoints; }

void EtcdClient::grant_lease(std::chrono::seconds ttl, Millis timeout,
                             std::function<void(Result<StoreLease>)> done) {
  core_->call<StoreLease>(
      etcd::kLeaseGrantPath, etcd::lease_grant_body(ttl), timeout,
      [ttl](std::string_view body) { return etcd::read_lease_grant(body, ttl); }, std::move(done));
}

void EtcdClient::claim(const std::string& key, const std::string& value, std::int64_t lease, const std::string& fence,
                       Millis timeout, std::function<void(Result<ClaimAnswer>)> done) {
  core_->call<ClaimAnswer>(
      etcd::kTxnPath, etcd::claim_body(key, value, lease, fence), timeout,
      [key, fence](std::string_view body) { return etcd::read_claim(body, key, fence); }, std::move(done));
}

void EtcdClient::claim_two(const KeyClaim& first, const KeyClaim& second, const std::array<std::string, 2>& fences,
                           Millis timeout, std::function<void(Result<ClaimTwoAnswer>)> done) {
  core_->call<ClaimTwoAnswer>(
      etcd::kTxnPath, etcd::claim_two_body(first, second, fences), timeout,
      [a = first.key, b = second.key, fences](std::string_view body) {
        return etcd::read_claim_two(body, a, b, fences);
      },
      std::move(done));
}

void EtcdClient::get(const std::string& key, Millis timeout,
                     std::function<void(Result<std::optional<std::string>>)> done) {
  core_->call<std::optional<std::string>>(
      etcd::kRangePath, etcd::get_body(key), timeout,
      [key](std::string_view body) { return etcd::read_get(body, key); }, std::move(done));
}

void EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease, Millis timeout,
                     std::function<void(Status)> done) {
  core_->call<etcd::Nothing>(
      etcd::kPutPath, etcd::put_body(key, value, lease), timeout,
      [](std::string_view body) { return etcd::read_put(body); },
      [done = std::move(done)](Result<etcd::Nothing> r) { done(r ? Status{} : Status{r.error()}); });
}

void EtcdClient::remove(const std::string& key, Millis timeout, std::function<void(Result<bool>)> done) {
  core_->call<bool>(
      etcd::kDeletePath, etcd::delete_body(key), timeout,
      [](std::string_view body) { return etcd::read_delete(body); }, std::move(done));
}

void EtcdClient::remove_if(const std::string& key, const std::string& value, Millis timeout,
                           std::function<void(Result<bool>)> done) {
  core_->call<bool>(
      etcd::kTxnPath, etcd::delete_if_body(key, value), timeout,
      [](std::string_view body) { return etcd::read_delete_if(body); }, std::move(done));
}

void EtcdClient::release(const std::string& key, const std::string& value, const KeyClaim& fence, Millis timeout,
                         std::function<void(Result<bool>)> done) {
  core_->call<bool>(
      etcd::kTxnPath, etcd::release_body(key, value, fence), timeout,
      [](std::string_view body) { return etcd::read_release(body); }, std::move(done));
}

void EtcdClient::range(const std::string& prefix, std::size_t limit, Millis timeout,
                       std::function<void(Result<std::vector<StoreKeyValue>>)> done) {
  core_->call<std::vector<StoreKeyValue>>(
      etcd::kRangePath, etcd::prefix_body(prefix, limit, false), timeout,
      [prefix, limit](std::string_view body) { return etcd::read_range(body, prefix, limit); }, std::move(done));
}

void EtcdClient::count(const std::string& prefix, Millis timeout, std::function<void(Result<std::int64_t>)> done) {
  core_->call<std::int64_t>(
      etcd::kRangePath, etcd::prefix_body(prefix, 0, true), timeout,
      [](std::string_view body) { return etcd::read_count(body); }, std::move(done));
}

void EtcdClient::status(std::size_t index, Millis timeout,
                        std::function<void(Result<etcd::Answer<etcd::MemberStatus>>)> done) {
  core_->call<etcd::Answer<etcd::MemberStatus>>(
      etcd::kStatusPath, "{}", timeout,
      [](std::string_view body) -> Result<etcd::Answer<etcd::Answer<etcd::MemberStatus>>> {
        auto status = etcd::read_status(body);
        if (!status) return status.error();
        return etcd::Answer<etcd::Answer<etcd::MemberStatus>>{status->header, status.value()};
      },
      std::move(done), index % core_->clients.size());
}

}  // namespace passgate::drivers
