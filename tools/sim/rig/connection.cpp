#include "tools/sim/rig/connection.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include <istream>

namespace passgate::sim {

namespace asio = boost::asio;
using nlohmann::json;

RigConnection::RigConnection(asio::io_context& io, GateView& view, Events events)
    : socket_(io), view_(view), events_(std::move(events)) {}

Status RigConnection::connect(const std::filesystem::path& socket) {
  boost::system::error_code ec;
  socket_.connect(asio::local::stream_protocol::endpoint(socket.string()), ec);
  if (ec) {
    socket_.close();
    return make_error("connect_failed", "cannot connect to the gate's rig socket " + socket.string() +
                                            ": " + ec.message() +
                                            " (is passgated running with the sim I/O backend on this path?)");
  }
  read_next();
  return {};
}

void RigConnection::close(std::function<void()> closed) {
  on_closed_ = std::move(closed);
  if (!writing_) finish_close();
}

void RigConnection::set_input(const std::string& line, bool active) {
  send(json{{"t", "in"}, {"line", line}, {"v", active ? 1 : 0}}.dump());
}

void RigConnection::scan(const std::string& scanner, const std::string& text) {
  send(json{{"t", "scan"}, {"scanner", scanner}, {"data", text}}.dump());
}

void RigConnection::send(std::string line) {
  if (!socket_.is_open() || on_closed_) return;
  outgoing_.push_back(std::move(line) + "\n");
  if (!writing_) write_next();
}

void RigConnection::write_next() {
  if (outgoing_.empty()) {
    writing_ = false;
    if (on_closed_) finish_close();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(outgoing_.front()),
                    [this](const boost::system::error_code& ec, std::size_t) {
                      if (ec) {
                        writing_ = false;
                        if (ec != asio::error::operation_aborted) fail("writing to the gate failed: " + ec.message());
                        return;
                      }
                      outgoing_.pop_front();
                      write_next();
                    });
}

void RigConnection::read_next() {
  asio::async_read_until(socket_, input_, '\n', [this](const boost::system::error_code& ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
    if (ec == asio::error::not_found) {
      fail("the gate sent a line longer than " + std::to_string(kMaxRigLine) + " bytes");
      return;
    }
    if (ec) {
      fail(ec == asio::error::eof ? std::string("the gate closed the connection")
                                  : "reading from the gate failed: " + ec.message());
      return;
    }
    std::string line(asio::buffers_begin(input_.data()), asio::buffers_begin(input_.data()) + static_cast<std::ptrdiff_t>(n) - 1);
    input_.consume(n);
    handle_line(line);
    read_next();
  });
}

void RigConnection::handle_line(const std::string& line) {
  const json msg = json::parse(line, nullptr, false);
  if (msg.is_discarded() || !msg.is_object() || !msg.contains("t") || !msg["t"].is_string()) {
    events_.problem("not a JSON object with a string \"t\": " + line);
    return;
  }
  const auto& type = msg["t"].get_ref<const std::string&>();
  if (type == "out") {
    const auto line_it = msg.find("line");
    const auto v_it = msg.find("v");
    const bool v_ok = v_it != msg.end() && (v_it->is_boolean() || (v_it->is_number_integer() && (*v_it == 0 || *v_it == 1)));
    if (line_it == msg.end() || !line_it->is_string() || !v_ok) {
      events_.problem("\"out\" needs a string \"line\" and \"v\" 0 or 1: " + line);
      return;
    }
    view_.on_output(line_it->get<std::string>(), v_it->is_boolean() ? v_it->get<bool>() : *v_it == 1);
  } else if (type == "display") {
    const auto lane_it = msg.find("lane");
    const auto text_it = msg.find("text");
    if (lane_it == msg.end() || !lane_it->is_number_integer() || text_it == msg.end() || !text_it->is_string()) {
      events_.problem("\"display\" needs an integer \"lane\" and a string \"text\": " + line);
      return;
    }
    view_.on_display(lane_it->get<int>(), text_it->get<std::string>());
  } else if (type == "error") {
    const auto msg_it = msg.find("msg");
    events_.gate_error(msg_it != msg.end() && msg_it->is_string() ? msg_it->get<std::string>() : line);
  }
  // Other message types are informative extensions the rig may ignore.
}

void RigConnection::fail(const std::string& why) {
  boost::system::error_code ignored;
  socket_.close(ignored);
  outgoing_.clear();
  if (on_closed_) {
    finish_close();
    return;
  }
  events_.lost(why);
}

void RigConnection::finish_close() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (auto closed = std::move(on_closed_)) {
    on_closed_ = nullptr;
    closed();
  }
}

}  // namespace passgate::sim
