// PeakMemory: how much the process's peak resident memory (VmHWM) grew while it existed.
// It resets the kernel's high-water mark to the current resident size when made (writing
// "5" to /proc/self/clear_refs, Linux 4.0 and later), so earlier tests' peaks do not hide
// growth. Under ASan freed blocks wait in the quarantine, still resident: the growth counts
// everything allocated meanwhile, not only what was held at once, so it is an upper bound.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>

namespace passgate::test {

class PeakMemory {
 public:
  PeakMemory() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    reset_ = static_cast<bool>(clear);
    start_kib_ = status_kib("VmRSS:");
  }
  // False if the high-water mark could not be reset: growth() would then mean nothing.
  [[nodiscard]] bool measuring() const { return reset_ && start_kib_ > 0; }
  [[nodiscard]] std::size_t growth_kib() const {
    const std::size_t peak = status_kib("VmHWM:");
    return peak > start_kib_ ? peak - start_kib_ : 0;
  }

 private:
  static std::size_t status_kib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string name;
    std::size_t kib = 0;
    while (status >> name) {
      if (name == field && status >> kib) return kib;
      status.ignore(1 << 10, '\n');
    }
    return 0;
  }

  bool reset_ = false;
  std::size_t start_kib_ = 0;
};

}  // namespace passgate::test
