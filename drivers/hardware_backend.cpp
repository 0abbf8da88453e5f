#include "drivers/hardware_backend.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::drivers {

HardwareBackend::HardwareBackend(TimerService& timers)
    : timers_(timers), self_(std::make_shared<HardwareBackend*>(this)) {}

Result<std::unique_ptr<HardwareBackend>> HardwareBackend::open(
    boost::asio::io_context& io, TimerService& timers, const hw::IoConfig& config,
    std::vector<std::unique_ptr<hw::ScannerDriver>> scanners) {
  std::unique_ptr<HardwareBackend> backend(new HardwareBackend(timers));
  auto lines = GpiodLines::open(io, timers, config.gpiod_lines,
                                [self = backend.get()](const std::string& line, bool active) {
                                  if (self->listener_ != nullptr) self->listener_->on_input(line, active);
                                });
  if (!lines.ok()) return lines.error();
  backend->lines_ = std::move(*lines);
  backend->scanners_ = std::move(scanners);
  for (const auto& scanner : backend->scanners_) {
    if (auto started = backend->start_scanner(*scanner); !started.ok()) return started.error();
  }
  return backend;
}

HardwareBackend::~HardwareBackend() {
  // Scanners first: nothing may call back into a half-destroyed backend.
  scanners_.clear();
  lines_.reset();
}

Status HardwareBackend::start_scanner(hw::ScannerDriver& scanner) {
  const std::string name = scanner.name();
  auto started = scanner.start(hw::ScannerEvents{
      [this, name](std::string raw) {
        if (listener_ != nullptr) listener_->on_scan(name, raw);
      },
      [this, name](bool connected, std::string detail) {
        if (listener_ != nullptr) listener_->on_scanner_connection(name, connected, detail);
      },
  });
  if (!started.ok()) {
    return make_error(started.error().code, "scanner " + name + " cannot start: " + started.error().message);
  }
  return {};
}

void HardwareBackend::set_listener(hw::IoListener* listener) {
  listener_ = listener;
  if (listener_ == nullptr) return;
  timers_.post([weak = std::weak_ptr<HardwareBackend*>(self_)] {
    const auto self = weak.lock();
    if (!self || (*self)->listener_ == nullptr) return;
    for (const auto& [line, active] : (*self)->lines_->inputs()) (*self)->listener_->on_input(line, active);
  });
}

void HardwareBackend::set_output(const std::string& line, bool active) { lines_->set_output(line, active); }

bool HardwareBackend::output(const std::string& line) const { return lines_->output(line); }

void HardwareBackend::display(int lane, const std::string& text) {
  spdlog::debug("event=display lane={} text={}", lane, log_value(text));
}

std::vector<hw::ScannerInfo> HardwareBackend::scanners() const {
  std::vector<hw::ScannerInfo> out;
  out.reserve(scanners_.size());
  for (const auto& scanner : scanners_) out.push_back(scanner->info());
  return out;
}

std::vector<std::string> HardwareBackend::input_lines() const {
  std::vector<std::string> lines;
  for (const auto& [line, level] : lines_->inputs()) lines.push_back(line);
  return lines;
}

std::optional<std::string> HardwareBackend::fire_alarm_held() const { return lines_->supervision_lost(); }

}  // namespace passgate::drivers
