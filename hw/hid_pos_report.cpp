#include "hw/hid_pos_report.hpp"

#include <string_view>
#include <utility>

namespace passgate::hw {
namespace {

// The field's value, least significant bit first (HID reports are little-endian).
// REQUIRES: the field lies inside `report` and is at most 32 bits wide.
std::uint32_t read_bits(std::span<const std::uint8_t> report, HidBitField field) {
  std::uint32_t value = 0;
  for (std::uint32_t i = 0; i < field.bit_size; ++i) {
    const std::uint32_t bit = field.bit_offset + i;
    value |= static_cast<std::uint32_t>((report[bit / 8] >> (bit % 8)) & 1U) << i;
  }
  return value;
}

}  // namespace

HidPosReassembler::HidPosReassembler(HidPosLayout layout, std::size_t max_length)
    : layout_(std::move(layout)), max_length_(max_length) {}

void HidPosReassembler::reset() {
  partial_.clear();
  prefix_ = 0;
  in_read_ = false;
  discarding_ = false;
}

Result<std::optional<std::string>> HidPosReassembler::feed(std::span<const std::uint8_t> report) {
  if (layout_.report_id != 0 && (report.empty() || report[0] != layout_.report_id)) return std::optional<std::string>();
  if (report.size() < layout_.report_bytes) {
    // Its flag cannot be read: a read in progress is taken to go on, and is skipped.
    const bool was_in_read = in_read_ || discarding_;
    reset();
    discarding_ = was_in_read;
    return make_error("malformed", "HID POS report of " + std::to_string(report.size()) + " bytes, expected " +
                                       std::to_string(layout_.report_bytes));
  }
  std::size_t count = layout_.data_capacity;
  if (layout_.byte_count) {
    count = read_bits(report, *layout_.byte_count);
    if (count > layout_.data_capacity) {
      const bool more = layout_.continued && read_bits(report, *layout_.continued) != 0;
      reset();
      discarding_ = more;
      return make_error("malformed", "HID POS report claims " + std::to_string(count) + " data bytes, room for " +
                                         std::to_string(layout_.data_capacity));
    }
  }
  const auto data = report.subspan(layout_.data_offset, count);
  const bool more = layout_.continued && read_bits(report, *layout_.continued) != 0;

  if (discarding_) {
    if (!more) reset();
    return std::optional<std::string>();
  }
  if (!in_read_) {
    std::string symbology;
    for (const auto& field : layout_.symbology) symbology += static_cast<char>(read_bits(report, field));
    if (!symbology.empty() && symbology[0] == ']') {
      prefix_ = symbology.size();
      partial_ = std::move(symbology);
    }
  }
  in_read_ = true;
  std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
  // Without a byte count the field is padded with NULs after the data.
  if (!layout_.byte_count) {
    const auto end = bytes.find_last_not_of('\0');
    bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(0, end + 1);
  }
  if (partial_.size() + bytes.size() > max_length_) {
    const auto so_far = partial_.size() + bytes.size();
    reset();
    discarding_ = more;
    return make_error("too_long", "HID POS read longer than " + std::to_string(max_length_) + " bytes (" +
                                      std::to_string(so_far) + (more ? " and more)" : ")"));
  }
  partial_.append(bytes);
  if (more) return std::optional<std::string>();
  std::string read = std::move(partial_);
  const bool empty = read.size() == prefix_;
  reset();
  if (empty) return std::optional<std::string>();
  return std::optional<std::string>(std::move(read));
}

}  // namespace passgate::hw
