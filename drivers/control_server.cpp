#include "drivers/control_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/line_connection.hpp"
#include "drivers/unix_listener.hpp"

namespace passgate::drivers {
namespace {

using Protocol = boost::asio::local::stream_protocol;
using json = nlohmann::json;

class Peer final : public ControlPeer {
 public:
  Peer(Protocol::socket socket, LineConnection::Events events) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      uid_ = cred.uid;
    }
    connection_ = std::make_shared<LineConnection>(std::move(socket), ControlServer::kMaxRequestBytes, std::move(events));
  }

  bool send(const json& message) override {
    return connected_ && connection_->send(message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  }
  [[nodiscard]] bool connected() const override { return connected_; }
  [[nodiscard]] uid_t uid() const override { return uid_; }

  void start() { connection_->start_reading(); }
  void close() {
    connected_ = false;
    connection_->close();
  }
  void closed() { connected_ = false; }

 private:
  std::shared_ptr<LineConnection> connection_;
  uid_t uid_ = static_cast<uid_t>(-1);
  bool connected_ = true;
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
  Impl(boost::asio::io_context& io, std::filesystem::path path, ControlHandler handler)
      : acceptor_(io), path_(std::move(path)), handler_(std::move(handler)) {}

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
    auto peer_slot = std::make_shared<std::weak_ptr<Peer>>();
    const auto weak_self = weak_from_this();
    auto peer = std::make_shared<Peer>(
        std::move(socket),
        LineConnection::Events{
            [weak_self, peer_slot](std::string_view line) {
              const auto self = weak_self.lock();
              const auto p = peer_slot->lock();
              if (self && p) self->on_line(line, p);
            },
            [peer_slot] {
              if (const auto p = peer_slot->lock()) {
                (void)p->send(control_error(make_error(
                    "too_long", "request longer than " + std::to_string(kMaxRequestBytes) + " bytes refused")));
              }
            },
            [peer_slot](const std::string&) {
              if (const auto p = peer_slot->lock()) p->closed();
            }});
    *peer_slot = peer;
    if (peers_.size() >= kMaxClients) {
      spdlog::warn("event=control_client_refused clients={} detail=\"too many passgatectl clients connected\"",
                   kMaxClients);
      (void)peer->send(control_error(make_error("busy", "too many passgatectl clients connected; try again")));
      peer->close();
      return;
    }
    peers_.push_back(peer);
    peer->start();
  }

  void on_line(std::string_view line, const std::shared_ptr<Peer>& peer) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    json request = json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
      (void)peer->send(control_error(make_error("malformed", "a request is one JSON object per line")));
      return;
    }
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
      (void)peer->send(control_error(make_error("malformed", "a request needs a string \"cmd\"")));
      return;
    }
    handler_(request, peer);
  }

  Protocol::acceptor acceptor_;
  std::filesystem::path path_;
  ControlHandler handler_;
  std::vector<std::shared_ptr<Peer>> peers_;
  bool bound_ = false;
  bool stopped_ = false;
};

Result<std::unique_ptr<ControlServer>> ControlServer::open(boost::asio::io_context& io,
                                                           const std::filesystem::path& socket,
                                                           std::optional<gid_t> group, ControlHandler handler) {
  auto impl = std::make_shared<Impl>(io, socket, std::move(handler));
  if (auto listening = impl->listen(group); !listening) return listening.error();
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

ControlServer::ControlServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControlServer::~ControlServer() { impl_->shutdown(); }

}  // namespace passgate::drivers
