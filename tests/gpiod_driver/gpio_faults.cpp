#include "tests/gpiod_driver/gpio_faults.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <dlfcn.h>
#include <linux/gpio.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace passgate::test {
namespace {

using IoctlFn = int (*)(int, unsigned long, ...);
using ReadFn = ssize_t (*)(int, void*, std::size_t);

// The definition the process would have used without this file (umockdev's, then libc's).
template <class Fn>
Fn next_definition(const char* name) {
  void* symbol = dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) std::abort();
  Fn fn = nullptr;
  static_assert(sizeof fn == sizeof symbol);
  std::memcpy(&fn, &symbol, sizeof fn);
  return fn;
}

struct ArmedFault {
  int error = 0;
  int left = 0;  // GpioFaults::kAlways: no end
  int injected = 0;

  // Whether this call fails (and with which errno: `error`).
  bool strike() {
    if (left == 0) return false;
    if (left > 0) --left;
    ++injected;
    return true;
  }
};

struct ArmedLine {
  ArmedFault writes;
  ArmedFault dropped_writes;  // answered 0, never passed on
  std::function<void()> during_write;
  std::function<void()> during_level_read;
  ArmedFault level_reads;
  ArmedFault event_reads;
  std::optional<std::size_t> capacity;  // the event queue's, when limited
  std::deque<gpioevent_data> queue;
  std::string partial;  // bytes of an event not whole yet
  std::size_t dropped = 0;
  std::size_t read = 0;
};

struct Registry {
  std::mutex mutex;
  std::atomic<bool> armed{false};
  std::map<int, unsigned> offset_of_fd;  // every line request's fd, from the request's answer
  std::map<unsigned, ArmedLine> lines;        // what is armed, by offset
  std::deque<std::string> chip_names;         // for the next chips' info answers

  // The armed line `fd` belongs to, if any. REQUIRES: mutex held.
  ArmedLine* line_of(int fd) {
    const auto offset = offset_of_fd.find(fd);
    if (offset == offset_of_fd.end()) return nullptr;
    const auto line = lines.find(offset->second);
    return line == lines.end() ? nullptr : &line->second;
  }
  void learn(int fd, unsigned offset) {
    const std::lock_guard lock(mutex);
    std::erase_if(offset_of_fd, [&](const auto& entry) { return entry.first == fd || entry.second == offset; });
    offset_of_fd.emplace(fd, offset);
  }
  void clear() {
    const std::lock_guard lock(mutex);
    armed = false;
    offset_of_fd.clear();
    lines.clear();
    chip_names.clear();
  }
  // Gives the chip's info answer the next name chosen, if any.
  void name_chip(gpiochip_info& info) {
    const std::lock_guard lock(mutex);
    if (chip_names.empty()) return;
    const std::string& name = chip_names.front();
    std::memset(info.name, 0, sizeof info.name);
    std::memcpy(info.name, name.data(), std::min(name.size(), sizeof info.name - 1));
    chip_names.pop_front();
  }
  template <class Change>
  void arm(unsigned offset, Change&& change) {
    const std::lock_guard lock(mutex);
    change(lines[offset]);
    armed = true;
  }
  template <class T, class Get>
  T count(unsigned offset, Get&& get) {
    const std::lock_guard lock(mutex);
    const auto line = lines.find(offset);
    return line == lines.end() ? T{} : get(line->second);
  }
};

// Never destroyed: read() may be called by another thread while the process exits.
Registry& registry() {
  static auto* const instance = new Registry;
  return *instance;
}

// Everything the emulated chip has written to the fd so far, read without blocking.
std::string drain(ReadFn real_read, int fd) {
  std::string bytes;
  for (;;) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 0) <= 0 || (ready.revents & POLLIN) == 0) return bytes;
    char chunk[256];
    const ssize_t got = real_read(fd, chunk, sizeof chunk);
    if (got <= 0) return bytes;
    bytes.append(chunk, static_cast<std::size_t>(got));
  }
}

// Puts what arrived into the kernel-like queue: whole events while there is room, the rest
// dropped.
void take_in(ArmedLine& line, const std::string& arrived) {
  line.partial += arrived;
  while (line.partial.size() >= sizeof(gpioevent_data)) {
    gpioevent_data event{};
    std::memcpy(&event, line.partial.data(), sizeof event);
    line.partial.erase(0, sizeof event);
    if (line.queue.size() < *line.capacity) {
      line.queue.push_back(event);
    } else {
      ++line.dropped;
    }
  }
}

int fail_with(int error) {
  errno = error;
  return -1;
}

}  // namespace

GpioFaults::GpioFaults() { registry().clear(); }
GpioFaults::~GpioFaults() { registry().clear(); }

void GpioFaults::fail_writes(unsigned offset, int error, int times) {
  registry().arm(offset, [&](ArmedLine& line) { line.writes = ArmedFault{error, times, 0}; });
}
void GpioFaults::drop_writes(unsigned offset, int times) {
  registry().arm(offset, [&](ArmedLine& line) { line.dropped_writes = ArmedFault{0, times, 0}; });
}
void GpioFaults::during_writes(unsigned offset, std::function<void()> action) {
  registry().arm(offset, [&](ArmedLine& line) { line.during_write = std::move(action); });
}
void GpioFaults::during_level_reads(unsigned offset, std::function<void()> action) {
  registry().arm(offset, [&](ArmedLine& line) { line.during_level_read = std::move(action); });
}
void GpioFaults::fail_level_reads(unsigned offset, int error, int times) {
  registry().arm(offset, [&](ArmedLine& line) { line.level_reads = ArmedFault{error, times, 0}; });
}
void GpioFaults::fail_event_reads(unsigned offset, int error, int times) {
  registry().arm(offset, [&](ArmedLine& line) { line.event_reads = ArmedFault{error, times, 0}; });
}
void GpioFaults::limit_event_queue(unsigned offset, std::size_t capacity) {
  registry().arm(offset, [&](ArmedLine& line) { line.capacity = capacity; });
}

void GpioFaults::name_chips(std::vector<std::string> names) {
  const std::lock_guard lock(registry().mutex);
  registry().chip_names.assign(names.begin(), names.end());
}

int GpioFaults::failed_writes(unsigned offset) const {
  return registry().count<int>(offset, [](const ArmedLine& line) { return line.writes.injected; });
}
int GpioFaults::dropped_writes(unsigned offset) const {
  return registry().count<int>(offset, [](const ArmedLine& line) { return line.dropped_writes.injected; });
}
int GpioFaults::failed_level_reads(unsigned offset) const {
  return registry().count<int>(offset, [](const ArmedLine& line) { return line.level_reads.injected; });
}
int GpioFaults::failed_event_reads(unsigned offset) const {
  return registry().count<int>(offset, [](const ArmedLine& line) { return line.event_reads.injected; });
}
std::size_t GpioFaults::events_dropped(unsigned offset) const {
  return registry().count<std::size_t>(offset, [](const ArmedLine& line) { return line.dropped; });
}
std::size_t GpioFaults::events_read(unsigned offset) const {
  return registry().count<std::size_t>(offset, [](const ArmedLine& line) { return line.read; });
}

namespace {

int gpio_ioctl(int fd, unsigned long request, void* arg) {
  static const auto real_ioctl = next_definition<IoctlFn>("ioctl");
  auto& reg = registry();
  // A write is a value write or a line made an output again with its level (SET_CONFIG).
  const bool write = request == GPIOHANDLE_SET_LINE_VALUES_IOCTL || request == GPIOHANDLE_SET_CONFIG_IOCTL;
  if (reg.armed && (write || request == GPIOHANDLE_GET_LINE_VALUES_IOCTL)) {
    const std::lock_guard lock(reg.mutex);
    if (ArmedLine* line = reg.line_of(fd); line != nullptr) {
      if (write && line->during_write) line->during_write();
      if (!write && line->during_level_read) line->during_level_read();
      ArmedFault& fault = write ? line->writes : line->level_reads;
      if (fault.strike()) return fail_with(fault.error);
      if (write && line->dropped_writes.strike()) return 0;  // "written", as an old kernel says
    }
  }
  const int result = real_ioctl(fd, request, arg);
  if (result == 0 && request == GPIO_GET_CHIPINFO_IOCTL) {
    reg.name_chip(*static_cast<gpiochip_info*>(arg));
  } else if (result == 0 && request == GPIO_GET_LINEHANDLE_IOCTL) {
    const auto* req = static_cast<const gpiohandle_request*>(arg);
    reg.learn(req->fd, req->lineoffsets[0]);
  } else if (result == 0 && request == GPIO_GET_LINEEVENT_IOCTL) {
    const auto* req = static_cast<const gpioevent_request*>(arg);
    reg.learn(req->fd, req->lineoffset);
  }
  return result;
}

// The registry's lock is never held while calling the next read(): umockdev answers a read
// of an emulated node on its own thread, which calls read() too.
ssize_t gpio_read(int fd, void* buffer, std::size_t size) {
  static const auto real_read = next_definition<ReadFn>("read");
  auto& reg = registry();
  if (!reg.armed) return real_read(fd, buffer, size);
  {
    std::unique_lock lock(reg.mutex);
    ArmedLine* line = reg.line_of(fd);
    if (line != nullptr && line->event_reads.strike()) return fail_with(line->event_reads.error);
    if (line == nullptr || !line->capacity) {
      lock.unlock();
      return real_read(fd, buffer, size);
    }
  }
  const std::string arrived = drain(real_read, fd);
  std::unique_lock lock(reg.mutex);
  ArmedLine* line = reg.line_of(fd);
  if (line == nullptr || !line->capacity) return fail_with(EBADF);  // disarmed meanwhile: not in any test
  take_in(*line, arrived);
  if (line->queue.empty()) {
    lock.unlock();
    return real_read(fd, buffer, size);  // nothing queued: what the fd says (EAGAIN, or EIO after a hang-up)
  }
  if (size < sizeof(gpioevent_data)) return fail_with(EINVAL);
  const std::size_t n = std::min(size / sizeof(gpioevent_data), line->queue.size());
  auto* out = static_cast<gpioevent_data*>(buffer);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = line->queue.front();
    line->queue.pop_front();
  }
  line->read += n;
  return static_cast<ssize_t>(n * sizeof(gpioevent_data));
}

}  // namespace
}  // namespace passgate::test

// The process's own definitions, found before umockdev's and libc's (see the header).
extern "C" int ioctl(int fd, unsigned long request, ...) noexcept {
  va_list args;
  va_start(args, request);
  void* arg = va_arg(args, void*);
  va_end(args);
  return passgate::test::gpio_ioctl(fd, request, arg);
}

extern "C" ssize_t read(int fd, void* buffer, std::size_t size) { return passgate::test::gpio_read(fd, buffer, size); }
