#include "tools/passgatectl/control_client.hpp"

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <istream>
#include <optional>

#include "tools/passgatectl/stop_signals.hpp"

namespace passgate::ctl {

using json = nlohmann::json;
using Protocol = boost::asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

enum class Waited { done, timed_out, stopped };

std::string seconds_text(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + " ms";
}

}  // namespace

struct ControlClient::Link {
  boost::asio::io_context io;
  Protocol::socket socket{io};
  boost::asio::streambuf buffer;
  std::filesystem::path path;
  std::chrono::milliseconds timeout{0};

  // Runs the pending operation until it set `done`, `deadline` passed or (when `stoppable`)
  // a stop signal came; cancels it if it did not finish.
  Waited wait(const bool& done, std::optional<Clock::time_point> deadline, bool stoppable) {
    std::optional<boost::asio::posix::stream_descriptor> stop;
    bool stopped = false;
    if (stoppable && StopSignals::fd() >= 0) {
      stop.emplace(io, ::dup(StopSignals::fd()));
      stop->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [&stopped](const boost::system::error_code& ec) { stopped = !ec; });
    }
    io.restart();
    while (!done && !stopped) {
      if ((deadline ? io.run_one_until(*deadline) : io.run_one()) == 0) break;
    }
    const Waited how = done ? Waited::done : stopped ? Waited::stopped : Waited::timed_out;
    boost::system::error_code ignored;
    if (!done) socket.cancel(ignored);
    if (stop) stop->cancel(ignored);
    io.restart();
    io.run();  // the cancelled handlers run now, while what they refer to still lives
    return how;
  }
};

ControlClient::ControlClient(std::unique_ptr<Link> link) : link_(std::move(link)) {}
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient& ControlClient::operator=(ControlClient&&) noexcept = default;
ControlClient::~ControlClient() = default;

Result<ControlClient> ControlClient::connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout) {
  auto link = std::make_unique<Link>();
  link->path = socket;
  link->timeout = timeout;
  boost::system::error_code ec;
  bool done = false;
  link->socket.async_connect(Protocol::endpoint(socket.native()), [&](const boost::system::error_code& e) {
    ec = e;
    done = true;
  });
  if (link->wait(done, Clock::now() + timeout, false) == Waited::timed_out) {
    return make_error("timeout", "the gate did not accept a connection on its control socket " + socket.string() +
                                     " within " + seconds_text(timeout) +
                                     ": it is overloaded or hung (systemctl status passgated)");
  }
  if (!ec) return ControlClient(std::move(link));
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

Result<json> ControlClient::read_line(bool watching) {
  boost::system::error_code ec;
  bool done = false;
  boost::asio::async_read_until(link_->socket, link_->buffer, '\n',
                                [&](const boost::system::error_code& e, std::size_t) {
                                  ec = e;
                                  done = true;
                                });
  const auto waited = link_->wait(done, watching ? std::nullopt : std::optional(Clock::now() + link_->timeout), watching);
  if (waited == Waited::stopped) return make_error("stopped", "stopped by a signal");
  if (waited == Waited::timed_out) {
    return make_error("timeout", "the gate did not answer within " + seconds_text(link_->timeout) +
                                     " on its control socket " + link_->path.string() +
                                     ": it is overloaded or hung (systemctl status passgated); --timeout SECONDS "
                                     "waits longer");
  }
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
  auto reply = read_line(false);
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
    auto event = read_line(true);
    if (!event.ok() && event.error().code == "stopped") return {};
    if (!event.ok()) return event.error();
    if (event->contains("ok") && !event->value("ok", true)) return refusal(*event);  // e.g. dropped: "busy"
    if (!on_event(*event)) return {};
  }
}

}  // namespace passgate::ctl
