// libFuzzer target: arbitrary bytes as a HID report descriptor through hid_pos_layout (and
// as an interface's extra descriptors through hid_report_descriptor_length). Besides
// crashes and sanitizer reports, it aborts when an accepted layout points outside its own
// report, or a refusal has an unknown code or no message. An accepted layout is then
// used: an all-zero and an all-ones report of its size go through a HidPosReassembler.
// Seed corpus: corpus/hid_descriptor/ (a HID POS scanner's descriptor with and without
// report ids, a boot keyboard's, one with push/pop and long items).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hw/hid_pos_report.hpp"
#include "hw/hid_report_descriptor.hpp"

namespace {

namespace hw = passgate::hw;

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

void require_inside(const hw::HidBitField& field, std::size_t report_bytes, std::uint32_t max_bits) {
  require(field.bit_size >= 1 && field.bit_size <= max_bits);
  require(std::uint64_t{field.bit_offset} + field.bit_size <= report_bytes * 8);
}

void check_layout(const hw::HidPosLayout& layout) {
  const std::size_t n = layout.report_bytes;
  require(n >= 1 && n <= hw::kMaxHidReportBytes);
  require(layout.report_id == 0 || layout.data_offset >= 1);
  require(layout.data_capacity >= 1 && layout.data_offset + layout.data_capacity <= n);
  require(layout.symbology.size() <= 3);
  for (const auto& field : layout.symbology) require_inside(field, n, 8);
  if (layout.byte_count) require_inside(*layout.byte_count, n, 32);
  if (layout.continued) require_inside(*layout.continued, n, 32);
  for (const std::uint8_t fill : {0x00, 0xFF}) {
    std::vector<std::uint8_t> report(n, fill);
    if (layout.report_id != 0) report[0] = layout.report_id;
    hw::HidPosReassembler reassembler(layout, 4096);
    const auto read = reassembler.feed(report);
    if (!read) require(!read.error().message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)hw::hid_report_descriptor_length(bytes);
  const auto layout = hw::hid_pos_layout(bytes);
  if (layout) {
    check_layout(*layout);
  } else {
    require(layout.error().code == "malformed" || layout.error().code == "unsupported");
    require(!layout.error().message.empty());
  }
  return 0;
}
