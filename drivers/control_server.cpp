#include "drivers/control_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/control_request_parser.hpp"
#include "drivers/line_connection.hpp"
#include "drivers/unix_listener.hpp"

namespace passgate::drivers {
using json = nlohmann::json;

namespace {

using Protocol = boost::asio::local::stream_protocol;

class Peer final : public ControlPeer, public std::enable_shared_from_this<Peer> {
 public:
  Peer(Protocol::socket socket, std::chrono::milliseconds request_timeout)
      : deadline_(socket.get_executor()), request_timeout_(request_timeout) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      uid_ = cred.uid;
      gid_ = cred.gid;
    }
    socket_ = std::move(socket);
  }

  bool send(const json& message) override {
    return connected_ && connection_->send(message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  }
  [[nodiscard]] bool connected() const override { return connected_; }
  [[nodiscard]] uid_t uid() const override { return uid_; }
  [[nodiscard]] gid_t gid() const override { return gid_; }
  // Whether it still owes a whole request: it has sent none yet, or part of one.
  [[nodiscard]] bool owes_request() const { return owes_request_; }

  void start(LineConnection::Events events) {
    events.on_partial = [weak = weak_from_this()] {
      if (const auto self = weak.lock()) self->request_started();
    };
    connection_ = std::make_shared<LineConnection>(std::move(*socket_), ControlServer::kMaxRequestBytes, std::move(events));
    socket_.reset();
    request_started();
    connection_->start_reading();
  }
  // A whole request came: no deadline until the next one starts.
  void request_done() {
    owes_request_ = false;
    deadline_.cancel();
  }
  // Tells the client why (`notice`), then closes; a client that does not take the notice
  // within a second is cut off.
  void dismiss(const json& notice) {
    (void)send(notice);
    connected_ = false;
    connection_->close_after_sending();
    deadline_.expires_after(kNoticeGrace);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->connection_->close();
    });
  }
  void close() {
    connected_ = false;
    deadline_.cancel();
    if (connection_) connection_->close();
  }
  void closed() {
    connected_ = false;
    deadline_.cancel();
  }

 private:
  static constexpr std::chrono::seconds kNoticeGrace{1};

  void request_started() {
    if (owes_request_ && deadline_armed_) return;  // the deadline counts from the request's first byte
    owes_request_ = true;
    deadline_armed_ = true;
    deadline_.expires_after(request_timeout_);
    deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      const auto self = weak.lock();
      // Not when the request was completed in the same loop turn as the expiry (the cancel
      // came too late to stop this handler).
      if (ec || !self || !self->connected_ || !self->owes_request_) return;
      self->deadline_armed_ = false;
      spdlog::warn("event=control_request_timeout uid={} timeout_ms={} detail=\"no whole request in time; "
                   "connection closed\"",
                   self->uid_, self->request_timeout_.count());
      self->dismiss(control_error(make_error(
          "request_timeout", "no whole request within " + std::to_string(self->request_timeout_.count()) +
                                 " ms (one JSON object ending in a newline); connection closed")));
    });
  }

  std::optional<Protocol::socket> socket_;  // until start()
  std::shared_ptr<LineConnection> connection_;
  boost::asio::steady_timer deadline_;
  std::chrono::milliseconds request_timeout_;
  uid_t uid_ = static_cast<uid_t>(-1);
  gid_t gid_ = static_cast<gid_t>(-1);
  bool connected_ = true;
  bool owes_request_ = true;
  bool deadline_armed_ = false;
};

}  // namespace

json control_ok(json fields) {
  fields["ok"] = true;
  return fields;
}

json control_error(const Error& error) {
  return json{{"ok", false}, {"error", {{"code", error.code}, {"message", error.message}}}};
}

class ControlServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, std::filesystem::path path, std::chrono::milliseconds request_timeout,
       ControlHandler handler)
      : acceptor_(io), path_(std::move(path)), request_timeout_(request_timeout), handler_(std::move(handler)) {}

  Status listen(std::optional<gid_t> group) {
    if (auto listening = listen_unix(acceptor_, path_, "control socket", group); !listening) return listening;
    bound_ = true;
    accept_next();
    spdlog::info("event=control_listening socket={}", log_value(path_.string()));
    return {};
  }

  void shutdown() {
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& peer : peers_) peer->close();
    peers_.clear();
    if (bound_) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }

 private:
  void accept_next() {
    acceptor_.async_accept([weak = weak_from_this()](const boost::system::error_code& ec, Protocol::socket socket) {
      const auto self = weak.lock();
      if (!self || self->stopped_) return;
      if (ec) {
        if (ec == boost::asio::error::operation_aborted) return;
        spdlog::warn("event=control_accept_failed detail={}", log_value(ec.message()));
      } else {
        self->admit(std::move(socket));
      }
      self->accept_next();
    });
  }

  void admit(Protocol::socket socket) {
    std::erase_if(peers_, [](const std::shared_ptr<Peer>& p) { return !p->connected(); });
    if (peers_.size() >= kMaxClients) make_room();
    auto peer = std::make_shared<Peer>(std::move(socket), request_timeout_);
    const std::weak_ptr<Peer> weak_peer = peer;
    const auto weak_self = weak_from_this();
    peers_.push_back(peer);
    peer->start(LineConnection::Events{
        [weak_self, weak_peer](std::string_view line) {
          const auto self = weak_self.lock();
          const auto p = weak_peer.lock();
          if (self && p) self->on_line(line, p);
        },
        [weak_peer] {
          if (const auto p = weak_peer.lock()) {
            p->request_done();
            (void)p->send(control_error(make_error(
                "too_long", "request longer than " + std::to_string(kMaxRequestBytes) + " bytes refused")));
          }
        },
        [weak_peer](const std::string&) {
          if (const auto p = weak_peer.lock()) p->closed();
        }});
  }

  // At kMaxClients, the oldest connection that still owes a request (none sent yet, or
  // half of one) goes, else the oldest of all (idle after its answers, or watching), so a
  // full house never locks an operator out.
  void make_room() {
    auto victim = std::find_if(peers_.begin(), peers_.end(), [](const auto& p) { return p->owes_request(); });
    if (victim == peers_.end()) victim = peers_.begin();
    spdlog::warn("event=control_client_dropped uid={} clients={} owed_request={} detail=\"the oldest idle "
                 "connection made room for a new one\"",
                 (*victim)->uid(), peers_.size(), (*victim)->owes_request());
    (*victim)->dismiss(control_error(make_error(
        "busy", "the gate is busy: " + std::to_string(kMaxClients) +
                    " passgatectl clients were connected and this idle one was closed to make room; try again")));
    peers_.erase(victim);
  }

  void on_line(std::string_view line, const std::shared_ptr<Peer>& peer) {
    // A dismissed client (timed out, or dropped to make room) is told so and acts no more: a
    // line it completes before its notice is sent would otherwise run unseen.
    if (!peer->connected()) return;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    peer->request_done();
    auto request = parse_control_request(line);
    if (!request.ok()) {
      (void)peer->send(control_error(request.error()));
      return;
    }
    handler_(*request, peer);
  }

  Protocol::acceptor acceptor_;
  std::filesystem::path path_;
  std::chrono::milliseconds request_timeout_;
  ControlHandler handler_;
  std::vector<std::shared_ptr<Peer>> peers_;
  bool bound_ = false;
  bool stopped_ = false;
};

Result<std::unique_ptr<ControlServer>> ControlServer::open(boost::asio::io_context& io,
                                                           const std::filesystem::path& socket,
                                                           std::optional<gid_t> group,
                                                           std::chrono::milliseconds request_timeout,
                                                           ControlHandler handler) {
  auto impl = std::make_shared<Impl>(io, socket, request_timeout, std::move(handler));
  if (auto listening = impl->listen(group); !listening) return listening.error();
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

ControlServer::ControlServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() { impl_->shutdown(); }

}  // namespace passgate::drivers
