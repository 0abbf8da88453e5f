#include "drivers/rig_link.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/line_connection.hpp"
#include "drivers/rig_link_protocol.hpp"
#include "drivers/unix_listener.hpp"
#include "hw/line_names.hpp"

namespace passgate::drivers {
namespace {

using Protocol = boost::asio::local::stream_protocol;

const std::string kFireAlarm{hw::kFireAlarm};

// "a, b, c" for error messages that list what would have been valid.
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

// What a rig scanner's state says of it: it comes and goes with the rig.
std::string scanner_detail(bool connected) { return connected ? "rig connected" : "no rig connected"; }

}  // namespace

class RigLink::Server : public std::enable_shared_from_this<Server> {
 public:
  Server(boost::asio::io_context& io, std::filesystem::path path, hw::GateLines lines)
      : io_(io), acceptor_(io), retry_timer_(io), path_(std::move(path)), lines_(std::move(lines)) {
    // fire_alarm is always an input: losing the rig must be able to raise it
    if (std::find(lines_.inputs.begin(), lines_.inputs.end(), kFireAlarm) == lines_.inputs.end()) {
      lines_.inputs.push_back(kFireAlarm);
    }
    for (const auto& name : lines_.inputs) inputs_.emplace(name, name == kFireAlarm);
    for (const auto& name : lines_.outputs) outputs_.emplace(name, false);
    scanners_.insert(lines_.scanners.begin(), lines_.scanners.end());
  }

  Status listen() {
    if (auto listening = listen_unix(acceptor_, path_, "rig socket"); !listening) return listening;
    bound_ = true;
    accept_next();
    spdlog::info("event=rig_link_listening socket={}", log_value(path_.string()));
    return {};
  }

  // Stops everything; nothing reaches the listener afterwards.
  void shutdown() {
    listener_ = nullptr;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
    if (rig_) rig_->close();
    rig_.reset();
    if (bound_) {
      std::error_code remove_ec;
      std::filesystem::remove(path_, remove_ec);
    }
  }

  void set_listener(hw::IoListener* listener) {
    listener_ = listener;
    if (listener_ == nullptr) return;
    // The listener assumes every input inactive and every scanner connected: tell it which
    // are not (at least fire_alarm; every scanner while no rig is connected).
    boost::asio::post(io_, [weak = weak_from_this()] {
      const auto self = weak.lock();
      if (!self || self->listener_ == nullptr) return;
      for (const auto& [line, active] : self->inputs_) {
        if (active) self->listener_->on_input(line, true);
      }
      if (!self->rig_) self->tell_scanners(false);
    });
  }

  void set_output(const std::string& line, bool active) {
    const auto it = outputs_.find(line);
    if (it == outputs_.end()) {
      spdlog::warn("event=rig_output_unknown line={} outputs={} detail=\"set_output ignored\"", log_value(line),
                   log_value(joined(lines_.outputs)));
      return;
    }
    if (it->second == active) return;
    it->second = active;
    send_to_rig(rig::encode_output(line, active));
  }

  [[nodiscard]] bool output(const std::string& line) const {
    const auto it = outputs_.find(line);
    return it != outputs_.end() && it->second;
  }

  void display(int lane, const std::string& text) { send_to_rig(rig::encode_display(lane, text)); }

  [[nodiscard]] std::vector<hw::ScannerInfo> scanners() const {
    std::vector<hw::ScannerInfo> out;
    for (const auto& name : lines_.scanners) {
      const bool connected = rig_ != nullptr;
      out.push_back(hw::ScannerInfo{name, "rig", path_.string(), connected, scanner_detail(connected)});
    }
    return out;
  }

  [[nodiscard]] bool rig_connected() const { return rig_ != nullptr; }

  [[nodiscard]] std::optional<std::string> fire_alarm_held() const {
    if (!rig_) return "no rig connected (sim backend): the alarm loop counts as active until a rig reports it clear";
    if (!alarm_reported_) return "the rig has not reported fire_alarm since it connected: it counts as active until then";
    return std::nullopt;
  }

  [[nodiscard]] const std::vector<std::string>& input_lines() const { return lines_.inputs; }

 private:
  void accept_next() {
    acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec, Protocol::socket socket) {
      if (ec == boost::asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (ec) {
        // e.g. out of file descriptors: try again shortly instead of spinning
        spdlog::error("event=rig_accept_failed retry_in_ms=1000 detail={}", log_value(ec.message()));
        self->retry_timer_.expires_after(std::chrono::seconds(1));
        self->retry_timer_.async_wait([self](const boost::system::error_code& wait_ec) {
          if (!wait_ec) self->accept_next();
        });
        return;
      }
      self->on_accepted(std::move(socket));
      self->accept_next();
    });
  }

  void on_accepted(Protocol::socket socket) {
    if (rig_) {
      spdlog::warn("event=rig_refused detail=\"a rig is already connected; one rig at a time\"");
      auto refused = std::make_shared<LineConnection>(std::move(socket), rig::kMaxLineBytes, LineConnection::Events{});
      (void)refused->send(rig::encode_error("another rig is already connected; one rig at a time"));
      refused->close_after_sending();
      return;
    }
    const std::weak_ptr<Server> weak = weak_from_this();
    rig_ = std::make_shared<LineConnection>(
        std::move(socket), rig::kMaxLineBytes,
        LineConnection::Events{
            [weak](std::string_view line) {
              if (const auto self = weak.lock()) self->on_line(line);
            },
            [weak] {
              if (const auto self = weak.lock()) {
                self->reply_error(rig::line_too_long_message());
              }
            },
            [weak](const std::string& why) {
              if (const auto self = weak.lock()) self->drop_rig(why);
            },
        });
    spdlog::info("event=rig_connected");
    for (const auto& line : lines_.outputs) send_to_rig(rig::encode_output(line, outputs_.at(line)));
    alarm_reported_ = false;
    reported_.clear();
    if (rig_) rig_->start_reading();
    if (rig_) tell_scanners(true);
  }

  void on_line(std::string_view line) {
    auto message = rig::parse_rig_line(line);
    if (!message) {
      reply_error(message.error().message);
      return;
    }
    if (*message) std::visit([this](const auto& m) { handle(m); }, **message);
  }

  void handle(const rig::InputMessage& m) {
    const auto it = inputs_.find(m.line);
    if (it == inputs_.end()) {
      if (outputs_.contains(m.line)) {
        reply_error(rig::quoted_excerpt(m.line) + " is an output line; the rig reports input lines only");
      } else {
        reply_error("unknown input line " + rig::quoted_excerpt(m.line) + " (inputs: " + joined(lines_.inputs) + ")");
      }
      return;
    }
    if (m.line == kFireAlarm) alarm_reported_ = true;
    // A rig's first report of a line reaches the listener even at the level assumed so far:
    // the gate then knows it (hw inputs shows it instead of "unknown").
    if (reported_.insert(m.line).second && it->second == m.active) {
      if (listener_ != nullptr) listener_->on_input(m.line, m.active);
      return;
    }
    set_input(it->second, m.line, m.active);
  }

  void handle(const rig::ScanMessage& m) {
    if (!scanners_.contains(m.scanner)) {
      reply_error("unknown scanner " + rig::quoted_excerpt(m.scanner) + " (scanners: " + joined(lines_.scanners) + ")");
      return;
    }
    if (listener_ != nullptr) listener_->on_scan(m.scanner, m.data);
  }

  void set_input(bool& level, const std::string& line, bool active) {
    if (level == active) return;
    level = active;
    if (listener_ != nullptr) listener_->on_input(line, active);
  }

  void drop_rig(const std::string& why) {
    if (rig_) rig_->close();
    rig_.reset();
    spdlog::warn("event=rig_disconnected fire_alarm=assumed_active detail={} "
                 "hint=\"fire_alarm counts as active until a rig reports it clear\"",
                 log_value(why));
    // From the loop, never from here: a failed send drops the rig inside set_output() or
    // display(), while a lane may be in the middle of handling an event.
    boost::asio::post(io_, [weak = weak_from_this()] {
      const auto self = weak.lock();
      if (!self) return;
      self->set_input(self->inputs_.at(kFireAlarm), kFireAlarm, true);
      if (!self->rig_) self->tell_scanners(false);
    });
  }

  // The rig's scanners come and go with the rig.
  void tell_scanners(bool connected) {
    for (const auto& name : lines_.scanners) {
      // A lane's reaction may drop the rig (a failed send): the rest are told lost, from the loop.
      if (listener_ == nullptr || (connected && !rig_)) return;
      listener_->on_scanner_connection(name, connected, scanner_detail(connected));
    }
  }

  void reply_error(const std::string& message) {
    spdlog::debug("event=rig_message_refused detail={}", log_value(message));
    send_to_rig(rig::encode_error(message));
  }

  void send_to_rig(std::string message) {
    if (!rig_) return;
    if (!rig_->send(std::move(message))) {
      drop_rig("it stopped reading: " + std::to_string(LineConnection::kMaxQueuedMessages) + " messages queued");
    }
  }

  boost::asio::io_context& io_;
  Protocol::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::filesystem::path path_;
  bool bound_ = false;  // the socket file is ours to remove
  hw::GateLines lines_;
  std::map<std::string, bool> inputs_;   // level as last reported to the listener
  std::map<std::string, bool> outputs_;  // level as last set
  std::set<std::string> scanners_;
  hw::IoListener* listener_ = nullptr;
  std::shared_ptr<LineConnection> rig_;
  bool alarm_reported_ = false;  // the connected rig has reported fire_alarm
  std::set<std::string> reported_;  // the input lines the connected rig has reported
};

Result<std::unique_ptr<RigLink>> RigLink::open(boost::asio::io_context& io, const std::filesystem::path& socket_path,
                                               hw::GateLines lines) {
  auto server = std::make_shared<Server>(io, socket_path, std::move(lines));
  if (auto listening = server->listen(); !listening) {
    server->shutdown();
    return listening.error();
  }
  return std::unique_ptr<RigLink>(new RigLink(std::move(server)));
}

RigLink::RigLink(std::shared_ptr<Server> server) : server_(std::move(server)) {}

RigLink::~RigLink() { server_->shutdown(); }

void RigLink::set_listener(hw::IoListener* listener) { server_->set_listener(listener); }

std::vector<hw::ScannerInfo> RigLink::scanners() const { return server_->scanners(); }

void RigLink::set_output(const std::string& line, bool active) { server_->set_output(line, active); }

bool RigLink::output(const std::string& line) const { return server_->output(line); }

void RigLink::display(int lane, const std::string& text) { server_->display(lane, text); }

bool RigLink::rig_connected() const { return server_->rig_connected(); }

std::vector<std::string> RigLink::input_lines() const { return server_->input_lines(); }

std::optional<std::string> RigLink::fire_alarm_held() const { return server_->fire_alarm_held(); }

}  // namespace passgate::drivers
