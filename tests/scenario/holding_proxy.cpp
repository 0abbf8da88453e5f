#include "tests/scenario/holding_proxy.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <future>

namespace passgate::scenario {

namespace asio = boost::asio;
using asio::ip::tcp;
using TlsSocket = asio::ssl::stream<tcp::socket>;

struct HoldingProxy::Listener {
  tcp::acceptor acceptor;
  tcp::endpoint member;
};

struct HoldingProxy::Pipe {
  Pipe(TlsSocket& f, TlsSocket& t, bool is_request) : from(f), to(t), request(is_request) {}
  TlsSocket& from;
  TlsSocket& to;
  const bool request;  // gate → etcd
  std::string pending;
  bool writing = false;
  bool ended = false;   // `from` said all it will (or is gone)
  bool broken = false;  // `to` is gone: what comes is thrown away
  std::array<char, 16 * 1024> buffer{};
};

struct HoldingProxy::Link : std::enable_shared_from_this<Link> {
  Link(HoldingProxy& p, tcp::socket accepted)
      : proxy(p), gate(std::move(accepted), p.as_member_), member(p.io_, p.as_gate_) {}

  // Both handshakes, then both directions.
  void start(const tcp::endpoint& to) {
    gate.async_handshake(asio::ssl::stream_base::server,
                         [self = shared_from_this()](const boost::system::error_code& ec) {
                           if (ec) return self->close();
                           self->pump_when_ready();
                         });
    member.next_layer().async_connect(to, [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return self->close();
      self->member.async_handshake(asio::ssl::stream_base::client,
                                   [self](const boost::system::error_code& shaken) {
                                     if (shaken) return self->close();
                                     self->pump_when_ready();
                                   });
    });
  }

  void pump_when_ready() {
    if (closed || ++handshakes < 2) return;
    read(up);
    read(down);
  }

  std::atomic<std::size_t>& held(const Pipe& p) { return p.request ? proxy.requests_held_ : proxy.answers_held_; }
  bool holding(const Pipe& p) const {
    return p.request ? proxy.holding_requests_ || kept : proxy.holding_answers_;
  }
  bool holds_bytes() const {
    return (!up.pending.empty() && holding(up)) || (!down.pending.empty() && holding(down));
  }

  void discard(Pipe& p) {
    held(p) -= p.pending.size();
    p.pending.clear();
  }

  void read(Pipe& p) {
    p.from.async_read_some(asio::buffer(p.buffer), [self = shared_from_this(), &p](const boost::system::error_code& ec,
                                                                                    std::size_t n) {
      if (self->closed) return;
      if (ec) {
        // The member gone: so is the gate's connection. The gate gone: what it sent and the
        // network holds is kept for pass() or drop_held(), the member's connection with it,
        // until the answer comes; with nothing in flight the link is done.
        p.ended = true;
        if (!p.request || (p.pending.empty() && !p.writing)) return self->close();
        return self->flush(p);
      }
      if (!p.request && self->up.ended) ++self->proxy.answers_to_gone_;
      if (p.broken) {
        // An answer to a gate that is gone: its request was carried out, the link is done.
        if (self->up.ended && self->up.pending.empty() && !self->up.writing) return self->close();
      } else {
        p.pending.append(p.buffer.data(), n);
        self->held(p) += n;
        if (p.pending.size() > kMaxHeldBytes) return self->close();
        self->flush(p);
      }
      self->read(p);
    });
  }

  // Sends on what `p` has unless its direction is held.
  void flush(Pipe& p) {
    if (closed || p.writing || p.broken || p.pending.empty() || holding(p)) return;
    p.writing = true;
    auto data = std::make_shared<std::string>(std::move(p.pending));
    p.pending.clear();
    held(p) -= data->size();
    asio::async_write(p.to, asio::buffer(*data),
                      [self = shared_from_this(), &p, data](const boost::system::error_code& ec, std::size_t) {
                        p.writing = false;
                        if (self->closed) return;
                        if (ec) {
                          // The gate died (its answers go nowhere), or the member did.
                          if (p.request) return self->close();
                          p.broken = true;
                          self->discard(p);
                          if (self->up.ended && self->up.pending.empty() && !self->up.writing) self->close();
                          return;
                        }
                        self->flush(p);
                      });
  }

  void close() {
    if (closed) return;
    closed = true;
    discard(up);
    discard(down);
    boost::system::error_code ignored;
    gate.next_layer().close(ignored);
    member.next_layer().close(ignored);
  }

  HoldingProxy& proxy;
  TlsSocket gate;
  TlsSocket member;
  int handshakes = 0;
  Pipe up{gate, member, true};
  Pipe down{member, gate, false};
  bool closed = false;
  bool kept = false;  // its requests held now stay held (pass_new)
};

HoldingProxy::HoldingProxy(test::EtcdCluster& cluster, const std::string& gate)
    : as_member_(asio::ssl::context::tls_server), as_gate_(asio::ssl::context::tls_client) {
  const auto member = cluster.dir();
  as_member_.use_certificate_chain_file((member / "member.pem").string());
  as_member_.use_private_key_file((member / "member.key").string(), asio::ssl::context::pem);
  const auto files = cluster.client_options(gate).tls;
  as_gate_.load_verify_file(files.ca_bundle.string());
  as_gate_.use_certificate_chain_file(files.client_cert.string());
  as_gate_.use_private_key_file(files.client_key.string(), asio::ssl::context::pem);
  as_gate_.set_verify_mode(asio::ssl::verify_peer);
  const auto loopback = asio::ip::make_address("127.0.0.1");
  for (const auto port : cluster.client_ports()) {
    listeners_.push_back(std::make_unique<Listener>(Listener{tcp::acceptor(io_, {loopback, 0}), {loopback, port}}));
  }
  for (std::size_t i = 0; i < listeners_.size(); ++i) accept(i);
  thread_ = std::thread([this] {
    auto work = asio::make_work_guard(io_);
    io_.run();
  });
}

HoldingProxy::~HoldingProxy() {
  on_proxy([this] {
    for (auto& l : listeners_) {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
    }
    for (auto& weak : links_) {
      if (auto link = weak.lock()) link->close();
    }
  });
  io_.stop();
  thread_.join();
}

std::vector<std::string> HoldingProxy::endpoints() const {
  std::vector<std::string> out;
  for (const auto& l : listeners_) {
    out.push_back("https://127.0.0.1:" + std::to_string(l->acceptor.local_endpoint().port()));
  }
  return out;
}

void HoldingProxy::accept(std::size_t listener) {
  auto& l = *listeners_[listener];
  l.acceptor.async_accept([this, listener](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) return;  // closed: the proxy is going
    std::erase_if(links_, [](const std::weak_ptr<Link>& weak) { return weak.expired(); });
    auto link = std::make_shared<Link>(*this, std::move(socket));
    links_.push_back(link);
    link->start(listeners_[listener]->member);
    accept(listener);
  });
}

void HoldingProxy::on_proxy(const std::function<void()>& work) {
  std::promise<void> done;
  asio::post(io_, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

void HoldingProxy::flush_all() {
  for (auto& weak : links_) {
    if (auto link = weak.lock()) {
      link->flush(link->up);
      link->flush(link->down);
    }
  }
}

void HoldingProxy::hold_requests() {
  on_proxy([this] {
    holding_requests_ = true;
    holding_answers_ = false;
    flush_all();
  });
}

void HoldingProxy::hold_answers() {
  on_proxy([this] {
    holding_requests_ = false;
    holding_answers_ = true;
    flush_all();
  });
}

void HoldingProxy::pass() {
  on_proxy([this] {
    holding_requests_ = false;
    holding_answers_ = false;
    for (auto& weak : links_) {
      if (auto link = weak.lock()) link->kept = false;
    }
    flush_all();
  });
}

void HoldingProxy::pass_new() {
  on_proxy([this] {
    for (auto& weak : links_) {
      auto link = weak.lock();
      if (link && !link->up.pending.empty()) link->kept = true;
    }
    holding_requests_ = false;
    holding_answers_ = false;
    flush_all();
  });
}

void HoldingProxy::drop_held() {
  on_proxy([this] {
    for (auto& weak : links_) {
      auto link = weak.lock();
      if (link && link->holds_bytes()) link->close();
    }
  });
}

}  // namespace passgate::scenario
