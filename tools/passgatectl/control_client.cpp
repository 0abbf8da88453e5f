#include "tools/passgatectl/control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <istream>

#include "tools/passgatectl/gate_database.hpp"

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
  if (link->socket.connect(Protocol::endpoint(socket.native()), ec); ec) {
    if (ec == boost::asio::error::connection_refused || ec == boost::asio::error::not_found ||
        ec == boost::system::errc::no_such_file_or_directory) {
      return make_error("gate_not_running", "no gate answers on " + socket.string() +
                                                ": is passgated running (systemctl status passgated)? (" + ec.message() + ")");
    }
    return make_error("io_error", "cannot connect to the gate's control socket " + socket.string() + ": " + ec.message());
  }
  return ControlClient(std::move(link));
}

Result<json> ControlClient::read_line() {
  boost::system::error_code ec;
  boost::asio::read_until(link_->socket, link_->buffer, '\n', ec);
  if (ec) {
    return make_error("io_error", ec == boost::asio::error::eof ? "the gate closed the control connection"
                                                                 : "reading from the gate failed: " + ec.message());
  }
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
  if (ec) return make_error("io_error", "sending to the gate failed: " + ec.message());
  auto reply = read_line();
  if (!reply.ok()) return reply;
  if (reply->value("ok", false)) return reply;
  const auto& error = (*reply)["error"];
  if (!error.is_object()) return make_error("io_error", "the gate refused the request without saying why");
  return make_error(error.value("code", "refused"), error.value("message", "refused"));
}

Status ControlClient::read_events(const std::function<bool(const json&)>& on_event) {
  while (true) {
    auto event = read_line();
    if (!event.ok()) return event.error();
    if (!on_event(*event)) return {};
  }
}

void add_control_options(CLI::App& command, ControlTarget& target) {
  add_config_option(command, target.config_file);
  command.add_option("--socket", target.socket, "the gate's control socket (default: [control] socket in the config)");
}

Result<ControlClient> connect_to_gate(const ControlTarget& target) {
  if (!target.socket.empty()) return ControlClient::connect(target.socket);
  auto config = load_gate_config(target.config_file);
  if (!config.ok()) return config.error();
  return ControlClient::connect(config->control.socket);
}

}  // namespace passgate::ctl
