#include "drivers/serial_scanner.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>
#include <utility>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/posix.hpp"
#include "hw/scanner_connection.hpp"
#include "hw/line_framer.hpp"
#include "hw/serial_line.hpp"

namespace passgate::drivers {
namespace {

namespace asio = boost::asio;

constexpr std::array<std::pair<int, speed_t>, 9> kSpeeds{{{1200, B1200},
                                                           {2400, B2400},
                                                           {4800, B4800},
                                                           {9600, B9600},
                                                           {19200, B19200},
                                                           {38400, B38400},
                                                           {57600, B57600},
                                                           {115200, B115200},
                                                           {230400, B230400}}};
static_assert(std::equal(kSpeeds.begin(), kSpeeds.end(), hw::kSerialBaudRates.begin(), hw::kSerialBaudRates.end(),
                         [](const auto& speed, int baud) { return speed.first == baud; }),
              "every supported baud rate needs its termios speed");

speed_t termios_speed(int baud) {
  return std::find_if(kSpeeds.begin(), kSpeeds.end(), [baud](const auto& s) { return s.first == baud; })->second;
}

std::string_view suffix_name(std::string_view suffix) {
  if (suffix == "\r") return "CR";
  if (suffix == "\n") return "LF";
  return "CRLF";
}

// Opens the device without blocking and without making it our controlling terminal, raw
// (cfmakeraw: no echo, no CR/LF translation, no signals), 8N1 at `speed`, no flow control,
// with DTR and RTS raised (some CDC-ACM scanners send only then; a pty refuses with ENOTTY,
// which is fine). VMIN 1, VTIME 0 with O_NONBLOCK: a read with nothing to read fails with
// EAGAIN, so end-of-file (0) means the device hung up. (With VMIN 0 a terminal returns 0
// whenever it is empty, and an unplug could not be told from silence.) Errors are
// "unavailable", their message the call and the OS's reason: "open /dev/ttyACM0: No such file
// or directory".
Result<UniqueFd> open_raw(const std::filesystem::path& device, speed_t speed) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return os_error("open", device, errno, "unavailable");
  termios tio{};
  if (::tcgetattr(fd.get(), &tio) != 0) return os_error("tcgetattr", device, errno, "unavailable");
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSTOPB | CRTSCTS);
  tio.c_iflag &= ~(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 || ::tcsetattr(fd.get(), TCSANOW, &tio) != 0) {
    return os_error("tcsetattr", device, errno, "unavailable");
  }
  int lines = TIOCM_DTR | TIOCM_RTS;
  if (::ioctl(fd.get(), TIOCMBIS, &lines) != 0 && errno != ENOTTY) {
    return os_error("TIOCMBIS", device, errno, "unavailable");
  }
  return fd;
}

// One open device, read until it fails or is closed. Owned through shared_ptr so a pending
// read keeps it alive; after close() it reports nothing.
class SerialConnection : public std::enable_shared_from_this<SerialConnection> {
 public:
  struct Events {
    std::function<void(std::string_view bytes)> on_bytes;
    std::function<void(std::string why)> on_lost;
  };

  SerialConnection(asio::posix::stream_descriptor descriptor, Events events)
      : descriptor_(std::move(descriptor)), events_(std::move(events)) {}

  void read_more() {
    descriptor_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](
                                                           const boost::system::error_code& ec, std::size_t n) {
      if (self->closed_) return;
      if (ec) {
        self->events_.on_lost(ec == asio::error::eof ? "read: end of file" : "read: " + ec.message());
        return;
      }
      self->events_.on_bytes(std::string_view(self->buffer_.data(), n));
      if (!self->closed_) self->read_more();
    });
  }

  void close() {
    closed_ = true;
    boost::system::error_code ignored;
    descriptor_.close(ignored);
  }

 private:
  asio::posix::stream_descriptor descriptor_;
  Events events_;
  std::array<char, 512> buffer_{};
  bool closed_ = false;
};

class SerialScanner final : public hw::ScannerDriver {
 public:
  SerialScanner(asio::io_context& io, TimerService& timers, SerialScannerSettings settings)
      : io_(io),
        timers_(timers),
        settings_(std::move(settings)),
        framer_(hw::serial_terminator(settings_.suffix), settings_.max_length),
        state_(hw::ScannerInfo{settings_.name, "serial", settings_.device.string(), false, "not started"}) {}

  ~SerialScanner() override {
    if (connection_) connection_->close();
  }

  [[nodiscard]] const std::string& name() const override { return settings_.name; }
  [[nodiscard]] hw::ScannerInfo info() const override { return state_.info(); }

  [[nodiscard]] Status start(hw::ScannerEvents events) override {
    if (started_) return make_error("already_started", "serial scanner " + settings_.name + " was already started");
    started_ = true;
    events_ = std::move(events);
    retry_ = timers_.start(Millis(0), [this] { try_open(); });
    return {};
  }

 private:
  void try_open() {
    retry_.reset();
    auto fd = open_raw(settings_.device, termios_speed(settings_.baud));
    if (!fd) {
      lost(fd.error().message);
      return;
    }
    asio::posix::stream_descriptor descriptor(io_);
    boost::system::error_code ec;
    descriptor.assign(fd->get(), ec);
    if (ec) {
      lost("cannot watch " + settings_.device.string() + ": " + ec.message());
      return;
    }
    (void)fd->release();  // the descriptor owns it now
    connection_ = std::make_shared<SerialConnection>(
        std::move(descriptor),
        SerialConnection::Events{[this](std::string_view bytes) { received(bytes); },
                                 [this](std::string why) { lost(std::move(why)); }});
    connection_->read_more();
    const std::string detail = settings_.device.string() + " open at " + std::to_string(settings_.baud) + " baud";
    spdlog::info("event=scanner_connected scanner={} kind=serial detail={}", log_value(settings_.name),
                 log_value(detail));
    state_.report(events_, true, detail);
  }

  void received(std::string_view bytes) {
    framer_.feed(
        bytes, [this](std::string read) { events_.on_text(std::move(read)); },
        [this] {
          spdlog::warn("event=scan_overlong scanner={} kind=serial max_length={} suffix={} "
                       "detail=\"no suffix within the limit; discarded up to the next suffix\" "
                       "hint=\"if every read does, check the scanner's suffix setting\"",
                       log_value(settings_.name), settings_.max_length, suffix_name(settings_.suffix));
        });
  }

  void lost(std::string detail) {
    if (connection_) {
      connection_->close();
      connection_.reset();
    }
    framer_.reset();
    if (state_.loss_is_news(detail)) {
      spdlog::warn("event=scanner_lost scanner={} kind=serial retry_every_ms={} detail={}", log_value(settings_.name),
                   settings_.retry_interval.count(), log_value(detail));
    }
    state_.report(events_, false, std::move(detail));
    retry_ = timers_.start(settings_.retry_interval, [this] { try_open(); });
  }

  asio::io_context& io_;
  TimerService& timers_;
  SerialScannerSettings settings_;
  hw::LineFramer framer_;
  hw::ScannerConnection state_;  // connected or not, as reported
  hw::ScannerEvents events_;
  std::shared_ptr<SerialConnection> connection_;
  std::unique_ptr<Timer> retry_;
  bool started_ = false;
};

}  // namespace

Result<std::unique_ptr<hw::ScannerDriver>> make_serial_scanner(asio::io_context& io, TimerService& timers,
                                                               SerialScannerSettings settings) {
  const std::string what = "serial scanner " + settings.name + ": ";
  if (!hw::is_serial_baud_rate(settings.baud)) {
    return make_error("invalid_argument", what + "unsupported baud rate " + std::to_string(settings.baud));
  }
  if (!hw::is_serial_suffix(settings.suffix)) return make_error("invalid_argument", what + "unsupported suffix");
  if (settings.max_length == 0) return make_error("invalid_argument", what + "max_length must be at least 1");
  return std::unique_ptr<hw::ScannerDriver>(std::make_unique<SerialScanner>(io, timers, std::move(settings)));
}

}  // namespace passgate::drivers
