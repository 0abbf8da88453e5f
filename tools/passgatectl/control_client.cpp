#include "tools/passgatectl/control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <istream>

namespace passgate::ctl {

using json = nlohmann::json;
using Protocol = boost::asio::local::stream_protocol;

struct ControlClient::Link {
  boost::asio::io_context io;
  Protocol::socket socket{io};
  boost::asio::streambuf buffer;
};

ControlClient::ControlClient(std::unique_ptr<Link> link) : link_(std::move(link)) {}
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient& ControlClient::operator=(ControlClient&&) noexcept = default;
ControlClient::~ControlClient() = default;

Result<ControlClient> ControlClient::connect(const std::filesystem::path& socket) {
  auto link = std::make_unique<Link>();
  boost::system::error_code ec;
  if (link->socket.connect(Protocol::endpoint(socket.native()), ec); !ec) return ControlClient(std::move(link));
  const std::string detail = " (" + ec.message() + ")";
  if (ec == boost::system::errc::no_such_file_or_directory) {
    return make_error("no_socket", "no control socket at " + socket.string() + detail);
  }
  if (ec == boost::system::errc::connection_refused) {
    return make_error("gate_not_running", "nothing listens on the control socket " + socket.string() + detail);
  }
  if (ec == boost::system::errc::permission_denied || ec == boost::system::errc::operation_not_permitted) {
    return make_error("permission_denied", "permission denied on the control socket " + socket.string() + detail);
  }
  return make_error("io_error", "cannot connect to the gate's control socket " + socket.string() + detail);
}

Result<json> ControlClient::read_line() {
  boost::system::error_code ec;
  boost::asio::read_until(link_->socket, link_->buffer, '\n', ec);
  if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) {
    return make_error("gate_busy", "the gate is busy or restarting: it closed the control connection without "
                                   "answering; try again (systemctl status passgated says whether it runs)");
  }
  if (ec) return make_error("io_error", "reading from the gate failed: " + ec.message());
  std::istream in(&link_->buffer);
  std::string line;
  std::getline(in, line);
  json message = json::parse(line, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    return make_error("io_error", "the gate sent something that is not a JSON object");
  }
  return message;
}

Result<json> ControlClient::request(const json& request) {
  boost::system::error_code ec;
  boost::asio::write(link_->socket, boost::asio::buffer(request.dump() + "\n"), ec);
  // Even when the write failed: a gate that dropped this connection (to make room for
  // another, or a request that came too slowly) says why before closing it.
  auto reply = read_line();
  if (!reply.ok() || reply->value("ok", false)) return reply;
  return refusal(*reply);
}

Error ControlClient::refusal(const json& reply) {
  const auto& error = reply.contains("error") ? reply["error"] : json();
  if (!error.is_object()) return make_error("io_error", "the gate refused the request without saying why");
  return make_error(error.value("code", "refused"), error.value("message", "refused"));
}

Status ControlClient::read_events(const std::function<bool(const json&)>& on_event) {
  while (true) {
    auto event = read_line();
    if (!event.ok()) return event.error();
    if (event->contains("ok") && !event->value("ok", true)) return refusal(*event);  // e.g. dropped: "busy"
    if (!on_event(*event)) return {};
  }
}

}  // namespace passgate::ctl
