// io.scan_max_length and [io.scanners]: the code scanner of each entry lane with the gpiod
// backend (USB HID POS, USB keyboard wedge, or serial), keyed by scanner name
// ("lane1.entry"). The sim backend's scanners come over the rig socket, so the table is an
// error there. Each device may serve one scanner only.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <span>

#include "controller/config/sections.hpp"
#include "controller/config/suggest.hpp"
#include "hw/line_names.hpp"
#include "hw/serial_line.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<ScannerKind>, 3> kScannerKinds{
    {{"hid_pos", ScannerKind::hid_pos}, {"keyboard", ScannerKind::keyboard}, {"serial", ScannerKind::serial}}};
constexpr std::string_view kSerialKeys[] = {"device", "baud", "suffix"};
constexpr std::string_view kUsbKeys[] = {"usb_id", "usb_serial"};
constexpr std::string_view kSuffixesExpected = R"("\r", "\n" or "\r\n")";

std::string entry_lane_list(const std::vector<LaneConfig>& lanes) {
  std::string numbers;
  for (const auto& lane : lanes) {
    if (lane.kind == LaneKind::entry) numbers += (numbers.empty() ? "" : ", ") + std::to_string(lane.number);
  }
  return numbers.empty() ? "none" : numbers;
}

// The lane number of "lane<N>.entry", if `name` has that shape.
std::optional<int> scanner_lane(std::string_view name) {
  constexpr std::string_view kPrefix = "lane";
  constexpr std::string_view kSuffix = ".entry";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  int lane = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), lane);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || digits[0] == '0') {
    return std::nullopt;
  }
  return lane;
}

// Whether `name` is the scanner of a configured entry lane; reports it at the key if not.
bool check_scanner_name(TableReader& scanners, const std::string& name, const std::vector<LaneConfig>& lanes) {
  const auto lane_number = scanner_lane(name);
  if (!lane_number) {
    std::vector<std::string> known;
    for (const auto& lane : lanes) known.push_back(hw::entry_scanner_name(lane.number));
    std::string message = scanners.name() + " has a malformed scanner name " + in_quotes(name);
    if (auto suggestion = closest_match(name, known)) {
      message += ", did you mean " + in_quotes(*suggestion) + "?";
    } else {
      message += ", expected \"lane<N>.entry\" for entry lane N";
    }
    scanners.problem_at_key(name, std::move(message));
    return false;
  }
  if (lanes.empty()) return true;  // no lanes: reported elsewhere
  const auto lane = std::find_if(lanes.begin(), lanes.end(), [&](const LaneConfig& l) { return l.number == *lane_number; });
  if (lane != lanes.end() && lane->kind == LaneKind::entry) return true;
  const std::string what = lane == lanes.end() ? "which is not configured" : "an exit lane";
  scanners.problem_at_key(name, scanners.name_of(name) + " is for lane " + std::to_string(*lane_number) + ", " + what +
                                    ", expected scanners only for entry lanes (" + entry_lane_list(lanes) + ")");
  return false;
}

// "0c2e:0b61" -> vendor and product.
std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_usb_id(std::string_view text) {
  const auto hex4 = [](std::string_view part) -> std::optional<std::uint16_t> {
    std::uint16_t value = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, 16);
    if (part.size() != 4 || ec != std::errc{} || end != part.data() + part.size()) return std::nullopt;
    return value;
  };
  if (text.size() != 9 || text[4] != ':') return std::nullopt;
  const auto vendor = hex4(text.substr(0, 4));
  const auto product = hex4(text.substr(5));
  if (!vendor || !product) return std::nullopt;
  return std::pair{*vendor, *product};
}

// Keys of the other link type are an error, not silently ignored.
void refuse_keys(TableReader& scanner, std::span<const std::string_view> keys, std::string_view kind,
                 std::string_view belong) {
  for (const auto key : keys) {
    if (scanner.node(key) == nullptr) continue;
    scanner.problem_at(key, scanner.name_of(key) + " is set on a " + std::string(kind) + " scanner, expected " +
                                std::string(belong));
  }
}

void read_usb(TableReader& scanner, std::string_view kind, ScannerConfig& out) {
  if (auto id = scanner.text("usb_id", Presence::required)) {
    if (auto parsed = parse_usb_id(*id)) {
      out.usb_vendor = parsed->first;
      out.usb_product = parsed->second;
    } else {
      scanner.problem_at("usb_id", scanner.name_of("usb_id") + " is " + in_quotes(*id) +
                                       ", expected the USB vendor:product id as 4 hex digits each, such as "
                                       "\"0c2e:0b61\" (lsusb shows it)");
    }
  }
  if (auto serial = scanner.text("usb_serial", Presence::optional)) out.usb_serial = std::move(*serial);
  refuse_keys(scanner, kSerialKeys, kind, "device, baud and suffix only with type = \"serial\"");
}

std::string baud_list() {
  std::string out;
  for (std::size_t i = 0; i < hw::kSerialBaudRates.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == hw::kSerialBaudRates.size() ? " or " : ", ") + std::to_string(hw::kSerialBaudRates[i]);
  }
  return out;
}

void read_serial(TableReader& scanner, ScannerConfig& out) {
  if (auto device = scanner.text("device", Presence::required)) {
    if (std::filesystem::path(*device).is_absolute()) {
      out.device = std::filesystem::path(*device).lexically_normal();
    } else {
      scanner.problem_at("device", scanner.name_of("device") + " is " + in_quotes(*device) +
                                       ", expected an absolute device path such as \"/dev/ttyACM0\" or "
                                       "\"/dev/serial/by-id/...\"");
    }
  }
  if (const toml::node* baud = scanner.node("baud")) {
    const auto* value = baud->as_integer();
    if (value != nullptr && value->get() >= 0 && value->get() <= hw::kSerialBaudRates.back() &&
        hw::is_serial_baud_rate(static_cast<int>(value->get()))) {
      out.baud = static_cast<int>(value->get());
    } else {
      const std::string given = value != nullptr ? std::to_string(value->get()) : describe_type(*baud);
      scanner.problem_at("baud", scanner.name_of("baud") + " is " + given + ", expected one of " + baud_list());
    }
  }
  if (auto suffix = scanner.text("suffix", Presence::optional)) {
    if (hw::is_serial_suffix(*suffix)) {
      out.suffix = std::move(*suffix);
    } else {
      scanner.problem_at("suffix", scanner.name_of("suffix") + " is " + in_quotes(*suffix) + ", expected " +
                                       std::string(kSuffixesExpected));
    }
  }
  refuse_keys(scanner, kUsbKeys, "serial", "usb_id and usb_serial only with type = \"hid_pos\" or \"keyboard\"");
}

// One scanner; nothing if it has a problem (reported).
std::optional<ScannerConfig> read_scanner(TableReader& scanner) {
  const std::size_t problems_before = scanner.problem_count();
  ScannerConfig out;
  const auto kind = scanner.choice<ScannerKind>("type", kScannerKinds, Presence::required);
  if (kind) {
    out.kind = *kind;
    if (*kind == ScannerKind::serial) {
      read_serial(scanner, out);
    } else {
      read_usb(scanner, *kind == ScannerKind::hid_pos ? "hid_pos" : "keyboard", out);
    }
  } else {
    // Without a valid type nothing else can be judged; the type problem says it all.
    for (const auto key : kSerialKeys) (void)scanner.node(key);
    for (const auto key : kUsbKeys) (void)scanner.node(key);
  }
  scanner.report_unknown_keys();
  if (scanner.problem_count() != problems_before) return std::nullopt;
  return out;
}

// The device a scanner claims: two scanners may not claim the same one.
std::string device_identity(const ScannerConfig& scanner) {
  if (scanner.kind == ScannerKind::serial) return scanner.device.string();
  char id[10];
  std::snprintf(id, sizeof id, "%04x:%04x", static_cast<unsigned>(scanner.usb_vendor),
                static_cast<unsigned>(scanner.usb_product));
  return std::string(id) + (scanner.usb_serial.empty() ? "" : " serial " + scanner.usb_serial);
}

// Two scanners on one device (or on one USB id, where either one takes the first device
// with that id): the later one in the file is reported.
void report_shared_devices(TableReader& scanners, const std::map<std::string, ScannerConfig>& read) {
  struct Placed {
    std::string name;
    const ScannerConfig* config;
    toml::source_position at;
  };
  std::vector<Placed> placed;
  for (const auto& [name, config] : read) placed.push_back(Placed{name, &config, scanners.raw().get(name)->source().begin});
  std::sort(placed.begin(), placed.end(),
            [](const Placed& a, const Placed& b) { return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column; });
  for (std::size_t i = 0; i < placed.size(); ++i) {
    const ScannerConfig& later = *placed[i].config;
    for (std::size_t j = 0; j < i; ++j) {
      const ScannerConfig& earlier = *placed[j].config;
      const bool serial = later.kind == ScannerKind::serial;
      if (serial != (earlier.kind == ScannerKind::serial)) continue;
      const bool same = serial ? later.device == earlier.device
                               : later.usb_vendor == earlier.usb_vendor && later.usb_product == earlier.usb_product &&
                                     (later.usb_serial.empty() || earlier.usb_serial.empty() ||
                                      later.usb_serial == earlier.usb_serial);
      if (!same) continue;
      const std::string key = serial ? "device" : "usb_id";
      const std::string expected = serial ? "a different device for each scanner"
                                          : "a different usb_id, or a different usb_serial on each of the two";
      const toml::node* node = scanners.raw().get(placed[i].name)->as_table()->get(key);
      scanners.problem_at_node(*node, scanners.name_of(placed[i].name) + "." + key + " is " +
                                          in_quotes(device_identity(later)) + ", which " + in_quotes(placed[j].name) +
                                          " already uses (" + in_quotes(device_identity(earlier)) + "), expected " +
                                          expected);
      break;
    }
  }
}

// At [io.scanners] if it is there, else at [io].
void report_missing_scanners(TableReader& where, const std::string& table_name, const std::set<std::string>& named,
                             const std::vector<LaneConfig>& lanes) {
  for (const auto& lane : lanes) {
    const std::string name = hw::entry_scanner_name(lane.number);
    if (lane.kind != LaneKind::entry || named.contains(name)) continue;
    where.problem_here(table_name + " lacks " + in_quotes(name) + ", expected a scanner for entry lane " +
                       std::to_string(lane.number) + ", such as [" + table_name + "." + in_quotes(name) +
                       "] with type and usb_id or device");
  }
}

}  // namespace

void read_scanners(TableReader& io_section, bool in_use, bool sim, const std::vector<LaneConfig>& lanes, IoConfig& io) {
  if (auto max_length = io_section.integer("scan_max_length", {16, 65536}, Presence::optional)) {
    io.scan_max_length = static_cast<std::size_t>(*max_length);
  }
  if (sim && io_section.node("scanners") != nullptr) {
    io_section.problem_at_key("scanners", io_section.name_of("scanners") +
                                              " is set with backend = \"sim\", expected scanners only with backend = "
                                              "\"gpiod\" (the rig simulator's scanners come over its socket)");
    return;
  }
  std::set<std::string> named;
  auto scanners = io_section.section("scanners", Presence::optional,
                                     "a table of scanners such as [io.scanners.\"lane1.entry\"]");
  if (scanners) {
    std::map<std::string, ScannerConfig> read;
    for (const auto& [key, node] : scanners->raw()) {
      const std::string name(key.str());
      if (!check_scanner_name(*scanners, name, lanes)) continue;
      named.insert(name);
      const std::string scanner_name = scanners->name_of(name);
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        scanners->problem_at_node(node, scanner_name + " is " + describe_type(node) +
                                            ", expected a table with type, such as { type = \"serial\", device = "
                                            "\"/dev/ttyACM0\" }");
        continue;
      }
      TableReader scanner = scanners->nested(*table, scanner_name, "in [" + scanner_name + "]");
      if (auto config = read_scanner(scanner)) read.emplace(name, std::move(*config));
    }
    report_shared_devices(*scanners, read);
    io.scanners = std::move(read);
  }
  if (in_use) report_missing_scanners(scanners ? *scanners : io_section, io_section.name_of("scanners"), named, lanes);
}

}  // namespace passgate::controller
