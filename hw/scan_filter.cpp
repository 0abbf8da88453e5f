#include "hw/scan_filter.hpp"


namespace passgate::hw {
namespace {

bool printable(char c) { return c >= 0x20 && c <= 0x7e; }

}  // namespace

ScanFilter::ScanFilter(const Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

ScanCheck ScanFilter::check(const std::string& scanner, std::string_view text) {
  const std::string length = std::to_string(text.size()) + " bytes";
  if (text.size() > limits_.max_length) {
    return {ScanVerdict::refused, length + ", longer than io.scan_max_length (" +
                                      std::to_string(limits_.max_length) + ")"};
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!printable(text[i])) {
      return {ScanVerdict::refused, length + ", a byte outside printable ASCII at offset " + std::to_string(i)};
    }
  }
  const SteadyTime now = clock_.steady_now();
  auto [it, fresh] = last_.try_emplace(scanner, LastRead{std::string(text), now});
  if (fresh) return {ScanVerdict::accepted, {}};
  LastRead& last = it->second;
  const bool repeat = last.text == text && now - last.at <= limits_.repeat_window && limits_.repeat_window.count() > 0;
  const auto since = std::chrono::duration_cast<Millis>(now - last.at);
  last.at = now;
  if (repeat) {
    return {ScanVerdict::repeated, "the same " + length + " again after " + std::to_string(since.count()) +
                                       " ms (io.scan_repeat_window_ms " +
                                       std::to_string(limits_.repeat_window.count()) + ")"};
  }
  last.text.assign(text);
  return {ScanVerdict::accepted, {}};
}

}  // namespace passgate::hw
