// FakeScanner: a ScannerDriver the test holds the other end of: it reads what the test
// says it reads, and is unplugged and replugged when the test says so.
#pragma once

#include <string>
#include <utility>

#include "hw/scanner_driver.hpp"

namespace passgate::test {

class FakeScanner final : public hw::ScannerDriver {
 public:
  explicit FakeScanner(std::string name, Status start_result = {})
      : name_(std::move(name)), start_result_(std::move(start_result)) {}

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] Status start(hw::ScannerEvents events) override {
    events_ = std::move(events);
    return start_result_;
  }
  [[nodiscard]] hw::ScannerInfo info() const override { return {name_, "serial", "/dev/ttyFAKE0", connected_, detail_}; }

  void read(const std::string& raw) const { events_.on_text(raw); }
  void connect(bool connected, const std::string& detail) {
    connected_ = connected;
    detail_ = detail;
    events_.on_connection(connected, detail);
  }
  [[nodiscard]] bool started() const { return static_cast<bool>(events_.on_text); }

 private:
  std::string name_;
  Status start_result_;
  hw::ScannerEvents events_;
  bool connected_ = true;
  std::string detail_ = "fake";
};

}  // namespace passgate::test
