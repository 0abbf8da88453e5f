#include "hw/hid_report_descriptor.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace passgate::hw {
namespace {

constexpr std::uint16_t kGenericDesktopPage = 0x01;
constexpr std::uint16_t kByteCountUsage = 0x3B;
constexpr std::uint16_t kBarCodeScannerPage = 0x8C;
constexpr std::uint16_t kSymbologyIdentifier1 = 0xFB;
constexpr std::uint16_t kSymbologyIdentifier3 = 0xFD;
constexpr std::uint16_t kDecodedData = 0xFE;
constexpr std::uint16_t kDecodeDataContinued = 0xFF;

constexpr std::size_t kMaxPushDepth = 16;
constexpr std::size_t kMaxCollectionDepth = 32;
constexpr std::uint32_t kMaxReportSizeBits = 256;  // as Linux's HID core
constexpr std::uint32_t kInputConstant = 0x01;     // Input item flag: padding

enum class ItemType : std::uint8_t { main = 0, global = 1, local = 2, reserved = 3 };
enum MainTag : std::uint8_t { kInput = 0x8, kOutput = 0x9, kCollection = 0xA, kFeature = 0xB, kEndCollection = 0xC };
enum GlobalTag : std::uint8_t {
  kUsagePage = 0x0, kLogicalMinimum = 0x1, kLogicalMaximum = 0x2, kPhysicalMinimum = 0x3,
  kPhysicalMaximum = 0x4, kUnitExponent = 0x5, kUnit = 0x6, kReportSize = 0x7, kReportId = 0x8,
  kReportCount = 0x9, kPush = 0xA, kPop = 0xB
};
enum LocalTag : std::uint8_t { kUsage = 0x0, kUsageMinimum = 0x1, kUsageMaximum = 0x2 };

// A usage as page and id; ranges come from Usage Minimum/Maximum.
struct UsageRange {
  std::uint16_t page = 0;
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

struct Globals {
  std::uint16_t usage_page = 0;
  std::uint32_t report_size = 0;
  std::uint32_t report_count = 0;
  std::uint8_t report_id = 0;
};

// One Input main item: report_count elements of report_size bits from bit_offset on
// (counted without the report id byte).
struct InputField {
  std::uint8_t report_id = 0;
  std::uint32_t bit_offset = 0;
  std::uint32_t report_size = 0;
  std::uint32_t report_count = 0;
  bool constant = false;
  std::vector<UsageRange> usages;

  // The usage of element `index`: usages are handed out in order, the last one repeats.
  [[nodiscard]] std::optional<std::pair<std::uint16_t, std::uint16_t>> usage_of(std::uint32_t index) const {
    if (usages.empty()) return std::nullopt;
    std::uint64_t remaining = index;
    for (const auto& range : usages) {
      const std::uint64_t span = std::uint64_t{range.last} - range.first + 1;
      if (remaining < span) return std::pair{range.page, static_cast<std::uint16_t>(range.first + remaining)};
      remaining -= span;
    }
    return std::pair{usages.back().page, usages.back().last};
  }
};

struct Parsed {
  std::vector<InputField> inputs;
  std::map<std::uint8_t, std::uint32_t> input_bits;  // per report id
  bool uses_report_ids = false;
};

Error malformed(std::size_t at, const std::string& why) {
  return make_error("malformed", "HID report descriptor, byte " + std::to_string(at) + ": " + why);
}

std::uint32_t item_value(std::span<const std::uint8_t> data) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < data.size(); ++i) value |= std::uint32_t{data[i]} << (8 * i);
  return value;
}

class DescriptorParser {
 public:
  Result<Parsed> parse(std::span<const std::uint8_t> d) {
    std::size_t at = 0;
    while (at < d.size()) {
      const std::uint8_t prefix = d[at];
      if (prefix == 0xFE) {  // long item: no long item is defined; skip it
        if (at + 3 > d.size()) return malformed(at, "long item runs past the end");
        const std::size_t size = d[at + 1];
        if (at + 3 + size > d.size()) return malformed(at, "long item runs past the end");
        at += 3 + size;
        continue;
      }
      const std::size_t size = (prefix & 0x03) == 3 ? 4 : (prefix & 0x03);
      if (at + 1 + size > d.size()) return malformed(at, "item runs past the end");
      const auto data = d.subspan(at + 1, size);
      const auto type = static_cast<ItemType>((prefix >> 2) & 0x03);
      const std::uint8_t tag = prefix >> 4;
      Status status;
      switch (type) {
        case ItemType::main: status = main_item(at, tag, data); break;
        case ItemType::global: status = global_item(at, tag, data); break;
        case ItemType::local: status = local_item(at, tag, data); break;
        case ItemType::reserved: return malformed(at, "reserved item type");
      }
      if (!status) return status.error();
      at += 1 + size;
    }
    if (collection_depth_ != 0) return malformed(d.size(), "collection not closed");
    return std::move(parsed_);
  }

 private:
  Status main_item(std::size_t at, std::uint8_t tag, std::span<const std::uint8_t> data) {
    Status status;
    switch (tag) {
      case kInput: status = input_item(at, item_value(data)); break;
      case kOutput:
      case kFeature: status = check_field(at); break;
      case kCollection:
        if (++collection_depth_ > kMaxCollectionDepth) return malformed(at, "collections nested too deep");
        break;
      case kEndCollection:
        if (collection_depth_ == 0) return malformed(at, "end of a collection that was not opened");
        --collection_depth_;
        break;
      default: return malformed(at, "unknown main item tag " + std::to_string(tag));
    }
    usages_.clear();
    usage_minimum_.reset();
    return status;
  }

  Status check_field(std::size_t at) const {
    if (globals_.report_size > kMaxReportSizeBits) {
      return malformed(at, "report size " + std::to_string(globals_.report_size) + " bits is too large");
    }
    if (parsed_.uses_report_ids && globals_.report_id == 0) return malformed(at, "main item before the first report id");
    return {};
  }

  Status input_item(std::size_t at, std::uint32_t flags) {
    if (auto status = check_field(at); !status) return status;
    auto& bits = parsed_.input_bits[globals_.report_id];
    const std::uint64_t width = std::uint64_t{globals_.report_size} * globals_.report_count;
    const std::uint64_t id_bits = parsed_.uses_report_ids ? 8 : 0;
    if (bits + width + id_bits > kMaxHidReportBytes * 8) {
      return malformed(at, "input report " + std::to_string(globals_.report_id) + " is longer than " +
                               std::to_string(kMaxHidReportBytes) + " bytes");
    }
    parsed_.inputs.push_back(InputField{globals_.report_id, bits, globals_.report_size, globals_.report_count,
                                        (flags & kInputConstant) != 0, usages_});
    bits += static_cast<std::uint32_t>(width);
    return {};
  }

  Status global_item(std::size_t at, std::uint8_t tag, std::span<const std::uint8_t> data) {
    const std::uint32_t value = item_value(data);
    switch (tag) {
      case kUsagePage: globals_.usage_page = static_cast<std::uint16_t>(value); break;
      case kReportSize: globals_.report_size = value; break;
      case kReportCount: globals_.report_count = value; break;
      case kReportId:
        if (value == 0 || value > 0xFF) return malformed(at, "report id " + std::to_string(value) + " is not 1..255");
        if (!parsed_.uses_report_ids && !parsed_.input_bits.empty()) {
          return malformed(at, "report id after items without one");
        }
        globals_.report_id = static_cast<std::uint8_t>(value);
        parsed_.uses_report_ids = true;
        break;
      case kPush:
        if (stack_.size() >= kMaxPushDepth) return malformed(at, "push nested too deep");
        stack_.push_back(globals_);
        break;
      case kPop:
        if (stack_.empty()) return malformed(at, "pop without push");
        globals_ = stack_.back();
        stack_.pop_back();
        break;
      case kLogicalMinimum:
      case kLogicalMaximum:
      case kPhysicalMinimum:
      case kPhysicalMaximum:
      case kUnitExponent:
      case kUnit:
      default: break;  // irrelevant for the layout
    }
    return {};
  }

  Status local_item(std::size_t at, std::uint8_t tag, std::span<const std::uint8_t> data) {
    const std::uint32_t value = item_value(data);
    // A 4-byte usage carries its own page in the high 16 bits (an extended usage).
    const auto page = data.size() == 4 ? static_cast<std::uint16_t>(value >> 16) : globals_.usage_page;
    const auto id = static_cast<std::uint16_t>(value & 0xFFFF);
    switch (tag) {
      case kUsage: usages_.push_back(UsageRange{page, id, id}); break;
      case kUsageMinimum: usage_minimum_ = UsageRange{page, id, id}; break;
      case kUsageMaximum:
        if (!usage_minimum_ || usage_minimum_->page != page || id < usage_minimum_->first) {
          return malformed(at, "usage maximum without a matching usage minimum");
        }
        usages_.push_back(UsageRange{page, usage_minimum_->first, id});
        usage_minimum_.reset();
        break;
      default: break;  // designators, strings, delimiters: irrelevant for the layout
    }
    return {};
  }

  Parsed parsed_;
  Globals globals_;
  std::vector<Globals> stack_;
  std::vector<UsageRange> usages_;
  std::optional<UsageRange> usage_minimum_;
  std::size_t collection_depth_ = 0;
};

// One element of an input report that has the usage looked for.
struct Element {
  const InputField* field = nullptr;
  std::uint32_t index = 0;
};

std::optional<Element> find_element(const Parsed& parsed, std::optional<std::uint8_t> report_id, std::uint16_t page,
                                    std::uint16_t usage) {
  for (const auto& field : parsed.inputs) {
    if (field.constant || (report_id && field.report_id != *report_id)) continue;
    // The first element with the usage; elements past the usage list repeat the last
    // usage, which an earlier element then already has.
    std::uint64_t first_index = 0;
    for (const auto& range : field.usages) {
      if (range.page == page && range.first <= usage && usage <= range.last) {
        const std::uint64_t index = first_index + (usage - range.first);
        if (index < field.report_count) return Element{&field, static_cast<std::uint32_t>(index)};
        break;
      }
      first_index += std::uint64_t{range.last} - range.first + 1;
    }
  }
  return std::nullopt;
}

HidBitField bits_of(const Element& e, std::uint32_t id_bits) {
  return HidBitField{id_bits + e.field->bit_offset + e.index * e.field->report_size, e.field->report_size};
}

Error unsupported(const std::string& why) { return make_error("unsupported", "HID report descriptor: " + why); }

std::string usage_name(std::uint16_t page, std::uint16_t usage) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string name = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) name += kHex[(page >> shift) & 0xF];
  name += ":0x";
  for (int shift = 12; shift >= 0; shift -= 4) name += kHex[(usage >> shift) & 0xF];
  return name;
}

Result<HidPosLayout> layout_of(const Parsed& parsed) {
  const auto data = find_element(parsed, std::nullopt, kBarCodeScannerPage, kDecodedData);
  if (!data) return unsupported("no Decoded Data (0x008c:0x00fe) input: not a HID POS bar code scanner interface");
  const std::uint8_t id = data->field->report_id;
  const std::uint32_t id_bits = parsed.uses_report_ids ? 8 : 0;
  const std::string report = "input report " + std::to_string(id);

  HidPosLayout layout;
  layout.report_id = id;
  layout.report_bytes = (id_bits + parsed.input_bits.at(id) + 7) / 8;

  const auto data_bits = bits_of(*data, id_bits);
  if (data_bits.bit_size != 8 || data_bits.bit_offset % 8 != 0) {
    return unsupported("Decoded Data in " + report + " is not a byte-aligned run of 8-bit fields");
  }
  // Decoded Data runs from its first element to the last element that still has it.
  std::uint32_t last = data->index;
  while (last + 1 < data->field->report_count &&
         data->field->usage_of(last + 1) == std::pair{kBarCodeScannerPage, kDecodedData}) {
    ++last;
  }
  layout.data_offset = data_bits.bit_offset / 8;
  layout.data_capacity = last - data->index + 1;

  for (std::uint16_t usage = kSymbologyIdentifier1; usage <= kSymbologyIdentifier3; ++usage) {
    const auto symbology = find_element(parsed, id, kBarCodeScannerPage, usage);
    if (!symbology) continue;
    const auto bits = bits_of(*symbology, id_bits);
    if (bits.bit_size != 8) {
      return unsupported("symbology identifier " + usage_name(kBarCodeScannerPage, usage) + " in " + report +
                         " is not 8 bits");
    }
    layout.symbology.push_back(bits);
  }
  if (const auto count = find_element(parsed, id, kGenericDesktopPage, kByteCountUsage)) {
    const auto bits = bits_of(*count, id_bits);
    if (bits.bit_size == 0 || bits.bit_size > 32) {
      return unsupported("Byte Count in " + report + " is " + std::to_string(bits.bit_size) + " bits, not 1..32");
    }
    layout.byte_count = bits;
  }
  if (const auto continued = find_element(parsed, id, kBarCodeScannerPage, kDecodeDataContinued)) {
    const auto bits = bits_of(*continued, id_bits);
    if (bits.bit_size == 0 || bits.bit_size > 32) {
      return unsupported("Decode Data Continued in " + report + " is " + std::to_string(bits.bit_size) +
                         " bits, not 1..32");
    }
    layout.continued = bits;
  }
  return layout;
}

}  // namespace

Result<HidPosLayout> hid_pos_layout(std::span<const std::uint8_t> report_descriptor) {
  auto parsed = DescriptorParser{}.parse(report_descriptor);
  if (!parsed) return parsed.error();
  return layout_of(*parsed);
}

std::optional<std::uint16_t> hid_report_descriptor_length(std::span<const std::uint8_t> extra) {
  constexpr std::uint8_t kHidDescriptorType = 0x21;
  constexpr std::uint8_t kReportDescriptorType = 0x22;
  std::size_t at = 0;
  while (at + 2 <= extra.size()) {
    const std::size_t length = extra[at];
    if (length < 2 || at + length > extra.size()) return std::nullopt;
    // bLength, bDescriptorType, bcdHID (2), bCountryCode, bNumDescriptors, then
    // bNumDescriptors times (bDescriptorType, wDescriptorLength).
    if (extra[at + 1] == kHidDescriptorType && length >= 6) {
      const auto entries = extra.subspan(at + 6, length - 6);
      for (std::size_t e = 0; e + 3 <= entries.size() && e / 3 < extra[at + 5]; e += 3) {
        if (entries[e] == kReportDescriptorType) {
          return static_cast<std::uint16_t>(entries[e + 1] | (entries[e + 2] << 8));
        }
      }
      return std::nullopt;
    }
    at += length;
  }
  return std::nullopt;
}

bool is_hid(UsbInterfaceClass interface) { return interface.interface_class == 3; }

bool is_boot_keyboard(UsbInterfaceClass interface) {
  return is_hid(interface) && interface.subclass == 1 && interface.protocol == 1;
}

}  // namespace passgate::hw
