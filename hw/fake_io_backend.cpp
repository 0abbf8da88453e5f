#include "hw/fake_io_backend.hpp"

#include <algorithm>
#include <cassert>

namespace passgate::hw {

void FakeIoBackend::set_output(const std::string& line, bool active) {
  bool& level = levels_[line];
  if (level == active) return;
  level = active;
  changes_.push_back({line, active, clock_.steady_now()});
  if (write_hook_) write_hook_();
}

bool FakeIoBackend::output(const std::string& line) const {
  const auto it = levels_.find(line);
  return it != levels_.end() && it->second;
}

void FakeIoBackend::display(int lane, const std::string& text) {
  displays_.push_back({lane, text, clock_.steady_now()});
  if (write_hook_) write_hook_();
}

std::vector<std::string> FakeIoBackend::input_lines() const { return input_lines_.value_or(inputs_given_); }

void FakeIoBackend::input(const std::string& line, bool active) {
  assert(listener_ != nullptr);
  if (std::find(inputs_given_.begin(), inputs_given_.end(), line) == inputs_given_.end()) inputs_given_.push_back(line);
  listener_->on_input(line, active);
}

void FakeIoBackend::scan(const std::string& scanner, const std::string& text) {
  assert(listener_ != nullptr);
  listener_->on_scan(scanner, text);
}

void FakeIoBackend::scanner_connection(const std::string& scanner, bool connected, const std::string& detail) {
  auto it = std::find_if(scanners_.begin(), scanners_.end(), [&](const ScannerInfo& s) { return s.name == scanner; });
  if (it == scanners_.end()) it = scanners_.insert(scanners_.end(), ScannerInfo{scanner, "fake", "fake", true, ""});
  it->connected = connected;
  it->detail = detail;
  listener_->on_scanner_connection(scanner, connected, detail);
}

std::vector<FakeIoBackend::OutputChange> FakeIoBackend::changes_of(const std::string& line) const {
  std::vector<OutputChange> of_line;
  for (const auto& change : changes_) {
    if (change.line == line) of_line.push_back(change);
  }
  return of_line;
}

std::vector<FakeIoBackend::Pulse> FakeIoBackend::pulses(const std::string& line) const {
  std::vector<Pulse> result;
  for (const auto& change : changes_of(line)) {
    if (change.active) {
      result.push_back({change.at, std::nullopt});
    } else if (!result.empty()) {
      result.back().end = change.at;
    }
  }
  return result;
}

std::optional<std::string> FakeIoBackend::last_display(int lane) const {
  for (auto it = displays_.rbegin(); it != displays_.rend(); ++it) {
    if (it->lane == lane) return it->text;
  }
  return std::nullopt;
}

void FakeIoBackend::clear_history() {
  changes_.clear();
  displays_.clear();
}

}  // namespace passgate::hw
