// FakeIoBackend: an IoBackend for tests. It records every output change and display text
// with the (virtual) time it happened, so a test can assert what a person at the gate would
// see ("release_in went active at t0 and inactive 8 s later", pulse widths), and lets the
// test play the rig: input() and scan() call the listener synchronously.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "hw/io_backend.hpp"
#include "hw/line_names.hpp"

namespace passgate::hw {

class FakeIoBackend final : public IoBackend {
 public:
  struct OutputChange {
    std::string line;
    bool active = false;
    SteadyTime at;
  };
  struct DisplayText {
    int lane = 0;
    std::string text;
    SteadyTime at;
  };
  // One stretch of an output being active; `end` is empty while it still is.
  struct Pulse {
    SteadyTime start;
    std::optional<SteadyTime> end;
  };

  explicit FakeIoBackend(const Clock& clock) : clock_(clock) {}

  // IoBackend
  void set_listener(IoListener* listener) override { listener_ = listener; }
  void set_output(const std::string& line, bool active) override;
  [[nodiscard]] bool output(const std::string& line) const override;
  void display(int lane, const std::string& text) override;
  [[nodiscard]] std::vector<ScannerInfo> scanners() const override { return scanners_; }
  // The lines set_input_lines() named; without it, fire_alarm and every line input() has
  // been given so far.
  [[nodiscard]] std::vector<std::string> input_lines() const override;
  [[nodiscard]] std::optional<std::string> fire_alarm_held() const override { return fire_alarm_held_; }
  [[nodiscard]] bool releases_pending() const override { return releases_pending_; }

  // Called after every output change and display text is recorded, from inside the write:
  // a test plays a backend that reports an input while the controller is still writing (a
  // dropped link, a lost chip). Empty: nothing.
  void on_write(std::function<void()> hook) { write_hook_ = std::move(hook); }

  // The test's side. REQUIRES: a listener is set.
  void input(const std::string& line, bool active);
  void scan(const std::string& scanner, const std::string& text);
  // A scanner lost or back: updates scanners() and tells the listener.
  void scanner_connection(const std::string& scanner, bool connected, const std::string& detail);
  // The input lines this backend has (as a GPIO config names them).
  void set_input_lines(std::vector<std::string> lines) { input_lines_ = std::move(lines); }
  // Plays a backend that lost its link to the alarm loop (why) or has it back (empty); the
  // test reports fire_alarm itself with input().
  void hold_fire_alarm(std::optional<std::string> why) { fire_alarm_held_ = std::move(why); }
  // Plays a backend that still has release writes queued for later loop turns (a slow chip's).
  void set_releases_pending(bool pending) { releases_pending_ = pending; }

  // Every output change (repeated levels are not changes), in order.
  [[nodiscard]] const std::vector<OutputChange>& output_changes() const { return changes_; }
  // The changes of one line only.
  [[nodiscard]] std::vector<OutputChange> changes_of(const std::string& line) const;
  // The active stretches of one line, in order.
  [[nodiscard]] std::vector<Pulse> pulses(const std::string& line) const;
  [[nodiscard]] const std::vector<DisplayText>& displays() const { return displays_; }
  // The last text shown on a lane's display, if any.
  [[nodiscard]] std::optional<std::string> last_display(int lane) const;
  // Forgets the recorded history (current output levels stay).
  void clear_history();

 private:
  const Clock& clock_;
  IoListener* listener_ = nullptr;
  std::map<std::string, bool> levels_;
  std::vector<OutputChange> changes_;
  std::vector<DisplayText> displays_;
  std::vector<ScannerInfo> scanners_;
  std::optional<std::vector<std::string>> input_lines_;
  std::vector<std::string> inputs_given_{std::string(kFireAlarm)};
  std::optional<std::string> fire_alarm_held_;
  bool releases_pending_ = false;
  std::function<void()> write_hook_;
};

}  // namespace passgate::hw
