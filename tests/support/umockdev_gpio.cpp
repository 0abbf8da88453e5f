#include "tests/support/umockdev_gpio.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <fcntl.h>
#include <linux/gpio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <umockdev.h>

namespace passgate::test {
namespace {

enum class Pull { none, up, down };

struct Line {
  // as reset() set it
  std::string name;
  std::string other_consumer;  // in use by another program
  // the per-line node whose opens are this line's request fds
  std::string node;
  int master = -1;
  // the current request ("" = free)
  std::string consumer;
  bool output = false;
  bool events = false;
  bool active_low = false;
  Pull pull = Pull::none;
  // the wire
  std::optional<bool> driven;
  bool out_high = false;       // the chip's output register
  bool chip_reset = false;     // the chip turned the pin to an input by itself (reset_expander)
  std::vector<bool> history;

  [[nodiscard]] bool voltage() const {
    if (!consumer.empty() && output && !chip_reset) return out_high;
    if (driven) return *driven;
    return pull == Pull::up;
  }
  [[nodiscard]] bool logical() const { return voltage() != active_low; }
};

void fail(const std::string& what, GError* error) {
  const std::string message = what + (error != nullptr ? std::string(": ") + error->message : "");
  if (error != nullptr) g_error_free(error);
  throw std::runtime_error("umockdev GPIO emulation: " + message);
}

// Copies the ioctl's argument struct in, lets `answer` change it, and copies it back to the
// caller. Returns the errno for the ioctl (0: success).
template <class T, class Answer>
int with_arg(UMockdevIoctlClient* client, Answer&& answer) {
  UMockdevIoctlData* data = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(client), 0, sizeof(T), nullptr);
  if (data == nullptr) return EFAULT;
  T value;
  std::memcpy(&value, data->data, sizeof(T));
  const int error = answer(value);
  std::memcpy(data->data, &value, sizeof(T));
  umockdev_ioctl_data_unref(data);
  return error;
}

std::uint64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000U + static_cast<std::uint64_t>(now.tv_nsec);
}

void copy_text(char* to, std::size_t size, const std::string& text) {
  std::memset(to, 0, size);
  std::memcpy(to, text.data(), std::min(text.size(), size - 1));
}

}  // namespace

struct UmockdevGpio::State {
  UMockdevTestbed* testbed = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  mutable std::mutex mutex;
  std::string label;
  bool gone = false;
  bool nodes_dead = false;  // unplug() closed the line nodes' other ends: reset() makes new ones
  unsigned generation = 0;
  std::array<Line, kLines> lines;

  static gboolean on_ioctl(UMockdevIoctlBase* /*handler*/, UMockdevIoctlClient* client, gpointer self) {
    auto& state = *static_cast<State*>(self);
    const std::string node = umockdev_ioctl_client_get_devnode(client);
    const unsigned long request = umockdev_ioctl_client_get_request(client);
    const std::lock_guard lock(state.mutex);
    const int error = state.gone ? ENODEV : state.answer(node, request, client);
    umockdev_ioctl_client_complete(client, error == 0 ? 0 : -1, error);
    return TRUE;
  }

  int answer(const std::string& node, unsigned long request, UMockdevIoctlClient* client) {
    if (node == std::string("/dev/") + kChip) return answer_chip(request, client);
    for (auto& line : lines) {
      if (line.node == node) return answer_line(line, request, client);
    }
    return ENOTTY;
  }

  int answer_chip(unsigned long request, UMockdevIoctlClient* client) {
    switch (request) {
      case GPIO_GET_CHIPINFO_IOCTL:
        return with_arg<gpiochip_info>(client, [&](gpiochip_info& info) {
          copy_text(info.name, sizeof info.name, kChip);
          copy_text(info.label, sizeof info.label, label);
          info.lines = kLines;
          return 0;
        });
      case GPIO_GET_LINEINFO_IOCTL:
        return with_arg<gpioline_info>(client, [&](gpioline_info& info) {
          if (info.line_offset >= kLines) return EINVAL;
          const Line& line = lines[info.line_offset];
          const bool requested = !line.consumer.empty();
          info.flags = 0;
          if (requested || !line.other_consumer.empty()) info.flags |= GPIOLINE_FLAG_KERNEL;
          if (requested && line.output) info.flags |= GPIOLINE_FLAG_IS_OUT;
          if (requested && line.active_low) info.flags |= GPIOLINE_FLAG_ACTIVE_LOW;
          if (requested && line.pull == Pull::up) info.flags |= GPIOLINE_FLAG_BIAS_PULL_UP;
          if (requested && line.pull == Pull::down) info.flags |= GPIOLINE_FLAG_BIAS_PULL_DOWN;
          copy_text(info.name, sizeof info.name, line.name);
          copy_text(info.consumer, sizeof info.consumer, requested ? line.consumer : line.other_consumer);
          return 0;
        });
      case GPIO_GET_LINEHANDLE_IOCTL:
        return with_arg<gpiohandle_request>(client, [&](gpiohandle_request& req) {
          if (req.lines != 1) return EINVAL;  // GpiodLines requests one line at a time
          return take(req.lineoffsets[0], req.flags, req.consumer_label, (req.flags & GPIOHANDLE_REQUEST_OUTPUT) != 0,
                      false, req.default_values[0] != 0, req.fd);
        });
      case GPIO_GET_LINEEVENT_IOCTL:
        return with_arg<gpioevent_request>(client, [&](gpioevent_request& req) {
          return take(req.lineoffset, req.handleflags, req.consumer_label, false, true, false, req.fd);
        });
      default:
        return ENOTTY;
    }
  }

  // A line request: checks it as the kernel does, records it and opens the line's node as its fd.
  int take(unsigned offset, std::uint32_t flags, const char* consumer, bool output, bool events, bool initial, int& fd) {
    if (offset >= kLines) return EINVAL;
    Line& line = lines[offset];
    if (!line.consumer.empty() || !line.other_consumer.empty()) return EBUSY;
    fd = ::open(line.node.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return errno;
    // A new request starts with no events: drop what an earlier one left unread. (syscall():
    // an ioctl() on this fd would come back to this handler.)
    syscall(SYS_ioctl, fd, TCFLSH, TCIFLUSH);
    line.consumer = consumer[0] != '\0' ? consumer : "?";
    line.output = output;
    line.events = events;
    line.active_low = (flags & GPIOHANDLE_REQUEST_ACTIVE_LOW) != 0;
    line.pull = (flags & GPIOHANDLE_REQUEST_BIAS_PULL_UP) != 0     ? Pull::up
                : (flags & GPIOHANDLE_REQUEST_BIAS_PULL_DOWN) != 0 ? Pull::down
                                                                   : Pull::none;
    if (output) set_output(line, initial);
    return 0;
  }

  static void set_output(Line& line, bool logical) {
    line.out_high = logical != line.active_low;
    line.history.push_back(line.out_high);
  }

  static int answer_line(Line& line, unsigned long request, UMockdevIoctlClient* client) {
    switch (request) {
      case GPIOHANDLE_GET_LINE_VALUES_IOCTL:
        return with_arg<gpiohandle_data>(client, [&](gpiohandle_data& data) {
          data.values[0] = line.logical() ? 1 : 0;
          return 0;
        });
      case GPIOHANDLE_SET_LINE_VALUES_IOCTL:
        return with_arg<gpiohandle_data>(client, [&](gpiohandle_data& data) {
          if (!line.output) return EPERM;
          set_output(line, data.values[0] != 0);  // the output register only: a reset pin stays an input
          return 0;
        });
      case GPIOHANDLE_SET_CONFIG_IOCTL:
        // Only what libgpiod's set_direction_output sends on an output request: the direction
        // (the chip's direction and output registers written again) and the level.
        return with_arg<gpiohandle_config>(client, [&](gpiohandle_config& config) {
          if (!line.output || (config.flags & GPIOHANDLE_REQUEST_OUTPUT) == 0) return EINVAL;
          line.active_low = (config.flags & GPIOHANDLE_REQUEST_ACTIVE_LOW) != 0;
          line.chip_reset = false;
          set_output(line, config.default_values[0] != 0);
          return 0;
        });
      default:
        return ENOTTY;
    }
  }

  // Makes the emulated node `name` under /dev with this handler answering its ioctls; its
  // other end (a pty master, raw) is returned.
  int add_node(const std::string& name, const std::string& extra_record) {
    GError* error = nullptr;
    const std::string dev = "/dev/" + name;
    if (umockdev_testbed_attach_ioctl(testbed, dev.c_str(), handler, &error) == FALSE) fail("attach " + dev, error);
    const std::string record = "P: /devices/platform/passgate-gpio/" + name + "\nN: " + name + "\nE: SUBSYSTEM=gpio\n" +
                               extra_record;
    if (umockdev_testbed_add_from_string(testbed, record.c_str(), &error) == FALSE) fail("add " + dev, error);
    const int master = umockdev_testbed_get_dev_fd(testbed, dev.c_str());
    if (master < 0) fail(dev + " has no pty", nullptr);
    termios raw{};
    tcgetattr(master, &raw);
    cfmakeraw(&raw);
    tcsetattr(master, TCSANOW, &raw);
    return master;
  }

  void add_line_nodes() {
    for (unsigned offset = 0; offset < kLines; ++offset) {
      const std::string name = std::string(kChip) + "-l" + std::to_string(offset) + "-g" + std::to_string(generation);
      lines[offset].node = "/dev/" + name;
      lines[offset].master = add_node(name, "");
    }
    ++generation;
    nodes_dead = false;
  }

  void write_event(const Line& line) const {
    gpioevent_data event{};
    event.timestamp = monotonic_ns();
    event.id = line.logical() ? GPIOEVENT_EVENT_RISING_EDGE : GPIOEVENT_EVENT_FALLING_EDGE;
    if (::write(line.master, &event, sizeof event) != static_cast<ssize_t>(sizeof event)) {
      throw std::runtime_error("umockdev GPIO emulation: cannot write an edge event");
    }
  }

  // Changes an input's wire; an edge event if its logical level changed while it has events.
  template <class Change>
  void rewire(unsigned offset, Change&& change) {
    const std::lock_guard lock(mutex);
    Line& line = lines.at(offset);
    const bool before = line.logical();
    change(line);
    if (!line.consumer.empty() && line.events && !gone && line.logical() != before) write_event(line);
  }
};

UmockdevGpio& UmockdevGpio::instance() {
  static UmockdevGpio gpio;
  return gpio;
}

UmockdevGpio::UmockdevGpio() : state_(std::make_unique<State>()) {
  state_->testbed = umockdev_testbed_new();
  state_->handler = umockdev_ioctl_base_new();
  try {
    build();
  } catch (...) {
    g_object_unref(state_->handler);
    g_object_unref(state_->testbed);  // removes its directory
    throw;
  }
}


void UmockdevGpio::build() {
  g_signal_connect_data(state_->handler, "handle-ioctl", reinterpret_cast<GCallback>(&State::on_ioctl), state_.get(),
                        nullptr, GConnectFlags{});
  // The chip node, with the sysfs entries libgpiod checks before it believes a chip is one
  // (/sys/bus/gpio/devices/gpiochip0/dev, with a newline, matching the node's numbers).
  state_->add_node(kChip, "E: DEVNAME=/dev/" + std::string(kChip) + "\nA: dev=254:0\\n\n");
  gchar* sys = umockdev_testbed_get_sys_dir(state_->testbed);
  const bool on_bus = std::filesystem::exists(std::filesystem::path(sys) / "bus" / "gpio" / "devices" / kChip / "dev");
  g_free(sys);
  if (!on_bus) fail("umockdev did not put gpiochip0 on /sys/bus/gpio", nullptr);
  state_->add_line_nodes();
  reset();
}

UmockdevGpio::~UmockdevGpio() {
  g_object_unref(state_->handler);
  g_object_unref(state_->testbed);
}

void UmockdevGpio::reset(const std::string& label, const std::map<unsigned, LineSpec>& lines) {
  const std::lock_guard lock(state_->mutex);
  if (state_->nodes_dead) state_->add_line_nodes();
  state_->label = label;
  state_->gone = false;
  for (unsigned offset = 0; offset < kLines; ++offset) {
    Line& line = state_->lines[offset];
    const auto spec = lines.find(offset);
    Line fresh;
    fresh.node = line.node;
    fresh.master = line.master;
    if (spec != lines.end()) {
      fresh.name = spec->second.name;
      fresh.other_consumer = spec->second.consumer;
    }
    line = std::move(fresh);
  }
}

void UmockdevGpio::drive(unsigned offset, bool high) {
  state_->rewire(offset, [high](Line& line) { line.driven = high; });
}

void UmockdevGpio::open_circuit(unsigned offset) {
  state_->rewire(offset, [](Line& line) { line.driven.reset(); });
}

void UmockdevGpio::reset_expander(unsigned offset) {
  const std::lock_guard lock(state_->mutex);
  state_->lines.at(offset).chip_reset = true;
}

bool UmockdevGpio::high(unsigned offset) const {
  const std::lock_guard lock(state_->mutex);
  return state_->lines.at(offset).voltage();
}

std::vector<bool> UmockdevGpio::output_history(unsigned offset) const {
  const std::lock_guard lock(state_->mutex);
  return state_->lines.at(offset).history;
}

std::string UmockdevGpio::requested_by(unsigned offset) const {
  const std::lock_guard lock(state_->mutex);
  return state_->lines.at(offset).consumer;
}

bool UmockdevGpio::pull_up(unsigned offset) const {
  const std::lock_guard lock(state_->mutex);
  return state_->lines.at(offset).pull == Pull::up;
}

void UmockdevGpio::unplug() {
  const std::lock_guard lock(state_->mutex);
  state_->gone = true;
  // Closing a pty's master hangs up its slave: every fd of a request reports it. The fd
  // number stays valid (umockdev closes it at the end) as /dev/null.
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (const Line& line : state_->lines) ::dup2(null, line.master);
  ::close(null);
  state_->nodes_dead = true;
}

}  // namespace passgate::test
