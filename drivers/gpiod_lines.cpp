#include "drivers/gpiod_lines.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <gpiod.hpp>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "drivers/gpio_chip_bus.hpp"
#include "hw/debouncer.hpp"
#include "hw/line_names.hpp"

namespace passgate::drivers {
namespace {

constexpr const char* kConsumer = "passgated";
const std::string kFireAlarm{hw::kFireAlarm};

// How the config names an entry: io.gpiod.lines.fire_alarm, io.gpiod.lines."lane1.beam_outer".
std::string entry_name(const std::string& line) {
  const bool bare = std::all_of(line.begin(), line.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-';
  });
  return "io.gpiod.lines." + (bare ? line : "\"" + line + "\"");
}

// The one conversion of libgpiod's exceptions (std::system_error and others) into our errors.
Error gpio_error(std::string code, const std::string& entry, const std::string& what, const std::exception& e) {
  return make_error(std::move(code), entry + ": " + what + ": " + e.what());
}

// The paths of every GPIO chip on this machine: /dev/gpiochipN.
std::vector<std::string> chip_paths() {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/dev", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    if (is_gpio_chip_name(it->path().filename().string())) paths.push_back(it->path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// "gpiochip0 "pinctrl-bcm2711", gpiochip1 "raspberrypi-exp-gpio"", for not-found messages.
std::string present_chips() {
  std::string out;
  for (const auto& path : chip_paths()) {
    try {
      const gpiod::chip chip(path, gpiod::chip::OPEN_BY_PATH);
      out += (out.empty() ? "" : ", ") + chip.name() + " \"" + chip.label() + "\"";
    } catch (const std::exception&) {
      // not a GPIO chip after all: not worth listing
    }
  }
  return out.empty() ? "none" : out;
}

// The chip `spec` names: a path ("/dev/gpiochip0"), a name ("gpiochip0") or a label.
Result<gpiod::chip> open_chip(const std::string& entry, const std::string& spec) {
  try {
    if (spec.starts_with("/")) return gpiod::chip(spec, gpiod::chip::OPEN_BY_PATH);
    if (is_gpio_chip_name(spec) && std::filesystem::exists("/dev/" + spec)) {
      return gpiod::chip(spec, gpiod::chip::OPEN_BY_NAME);
    }
    for (const auto& path : chip_paths()) {
      gpiod::chip chip(path, gpiod::chip::OPEN_BY_PATH);
      if (chip.label() == spec) return chip;
    }
  } catch (const std::system_error& e) {
    if (e.code() != std::errc::no_such_file_or_directory) {
      return gpio_error("io_error", entry, "cannot open GPIO chip \"" + spec + "\"", e);
    }
  }
  return make_error("not_found", entry + ": no GPIO chip \"" + spec + "\" (looked up by path, name and label; chips: " +
                                     present_chips() + ")");
}

// The chip's line the entry names, by offset or by its name on the chip.
Result<gpiod::line> find_line(const std::string& entry, const gpiod::chip& chip,
                              const hw::GpiodLineConfig& config) {
  if (config.offset) {
    const unsigned lines = chip.num_lines();
    if (*config.offset >= lines) {
      return make_error("not_found", entry + ": line " + std::to_string(*config.offset) + " of " + chip.name() +
                                         " does not exist (the chip has " + std::to_string(lines) + " lines" +
                                         (lines > 0 ? ", offsets 0 to " + std::to_string(lines - 1) : "") + ")");
    }
    return chip.get_line(*config.offset);
  }
  gpiod::line line = chip.find_line(config.line);
  if (!line) return make_error("not_found", entry + ": no line named \"" + config.line + "\" on " + chip.name());
  return line;
}

// "line 4 of gpiochip0", or "line "GPIO4" (4) of gpiochip0" for a line found by name.
std::string describe(const gpiod::line& line, const hw::GpiodLineConfig& config) {
  const std::string offset = std::to_string(line.offset());
  return "line " + (config.offset ? offset : "\"" + config.line + "\" (" + offset + ")") + " of " +
         line.get_chip().name();
}

std::bitset<32> request_flags(const hw::GpiodLineConfig& config) {
  std::bitset<32> flags;
  if (config.active_low) flags |= gpiod::line_request::FLAG_ACTIVE_LOW;
  switch (config.bias) {
    case hw::LineBias::as_is: break;
    case hw::LineBias::pull_up: flags |= gpiod::line_request::FLAG_BIAS_PULL_UP; break;
    case hw::LineBias::pull_down: flags |= gpiod::line_request::FLAG_BIAS_PULL_DOWN; break;
    case hw::LineBias::disabled: flags |= gpiod::line_request::FLAG_BIAS_DISABLE; break;
  }
  return flags;
}

// ENODEV or EIO: the chip is gone (unplugged, its driver unbound); retrying cannot help.
bool chip_gone(const std::error_code& code) {
  return code == std::errc::no_such_device || code == std::errc::io_error;
}

// The real steady clock, for lines opened without a Clock.
class SteadyClock final : public Clock {
 public:
  [[nodiscard]] WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

const Clock& real_steady_clock() {
  static const SteadyClock clock;
  return clock;
}

struct WriteFailure {
  std::error_code code;  // the kernel's, if it gave one
  std::string why;
  bool mismatch = false;  // read back, but not the level written
};

// One write attempt: `active` written, then read back from the same request (logical levels
// both: the kernel applies active-low to either). The write's ioctl alone cannot be trusted:
// before Linux 6.16/6.17 a chip's set callback cannot report an error (see the header).
// With `as_output`, the line is made an output again with the level (GPIOHANDLE_SET_CONFIG):
// an expander that reset has turned its pins to inputs, and a value write alone (its output
// register) leaves them so.
std::optional<WriteFailure> write_verified(const gpiod::line& line, bool active, bool as_output = false) {
  const int written = active ? 1 : 0;
  try {
    if (as_output) {
      line.set_direction_output(written);
    } else {
      line.set_value(written);
    }
  } catch (const std::system_error& e) {
    return WriteFailure{e.code(), e.what()};
  } catch (const std::exception& e) {
    return WriteFailure{{}, e.what()};
  }
  try {
    const int read = line.get_value();
    if (read != written) {
      return WriteFailure{{}, "read back " + std::to_string(read) + " after writing " + std::to_string(written), true};
    }
  } catch (const std::system_error& e) {
    return WriteFailure{e.code(), "read back failed after writing " + std::to_string(written) + ": " + e.what()};
  } catch (const std::exception& e) {
    return WriteFailure{{}, "read back failed after writing " + std::to_string(written) + ": " + e.what()};
  }
  return std::nullopt;
}

// Whether a failed write attempt that took `took` was too slow to be retried.
bool too_slow(SteadyTime::duration took) { return took > GpiodLines::kSlowAttempt; }

// "took 1000 ms (more than 100 ms", for the messages of attempts too_slow() refuses.
std::string took_too_long(SteadyTime::duration took) {
  return "took " + std::to_string(std::chrono::duration_cast<Millis>(took).count()) + " ms (more than " +
         std::to_string(GpiodLines::kSlowAttempt.count()) + " ms";
}

std::string in_use_by(const gpiod::line& line) {
  const std::string consumer = line.consumer();
  return consumer.empty() ? "by the kernel or a program that gave no name" : "by \"" + consumer + "\"";
}

// Requests the line: an input with events on both edges, or an output at `initial`.
Status request(const std::string& entry, const std::string& where, gpiod::line& line,
               const hw::GpiodLineConfig& config, bool input) {
  if (line.is_used()) return make_error("busy", entry + ": " + where + " is in use " + in_use_by(line));
  const int type = input ? gpiod::line_request::EVENT_BOTH_EDGES : gpiod::line_request::DIRECTION_OUTPUT;
  try {
    line.request(gpiod::line_request{kConsumer, type, request_flags(config)}, config.safe_active ? 1 : 0);
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::device_or_resource_busy) {
      line.update();
      return make_error("busy", entry + ": " + where + " is in use " + in_use_by(line));
    }
    return gpio_error("io_error", entry, "cannot request " + where, e);
  }
  return {};
}

}  // namespace

struct GpiodLines::Chips {
  std::map<std::string, gpiod::chip> by_spec;                      // as the config names them
  std::map<std::pair<std::string, unsigned>, std::string> claimed;  // (chip name, offset) -> entry name
};

struct GpiodLines::Output {
  Output(std::string line_where, std::string line_chip, bool is_release, gpiod::line requested, bool safe_level)
      : where(std::move(line_where)),
        chip(std::move(line_chip)),
        release(is_release),
        line(std::move(requested)),
        safe(safe_level),
        level(safe),
        wanted(safe) {}

  std::string where;
  std::string chip;  // its chip's name: a chip found slow defers every write to its lines
  bool release;      // release_in or release_out: still driven on a slow chip
  gpiod::line line;
  bool safe;
  bool level;                    // on the line: the last level written successfully
  bool wanted;                   // the last level asked for
  int failures = 0;              // failed writes in a row (the episode was logged at the first)
  std::unique_ptr<Timer> retry;  // the next write of `wanted`, while failures > 0
  bool lost = false;             // chip gone or retries used up (logged once); never retried again
  bool reassert = false;         // the pin read back another level: write it as an output again
  // The level last written when that write failed, or read back when a read-back failed: the
  // pin's level is unknown until a write works (it may have landed, or not); cleared by a
  // write that works.
  std::optional<bool> tried;
  // Whether `wanted` may not be on the pin: after a failure, whatever was tried; otherwise
  // when the level confirmed last is another.
  [[nodiscard]] bool needs_write() const { return tried.has_value() || level != wanted; }
};

struct GpiodLines::Input {
  Input(GpiodLines& owner, boost::asio::io_context& io, std::string line_name, std::string line_where,
        std::string line_chip, gpiod::line requested, Millis debounce, bool level)
      : name(std::move(line_name)),
        where(std::move(line_where)),
        chip(std::move(line_chip)),
        line(std::move(requested)),
        events(io),
        debouncer(
            owner.timers_, name == kFireAlarm ? std::max(debounce, kAlarmClearHold) : debounce, level,
            [this, &owner](bool active) { owner.debounced(*this, active); },
            // an alarm is never delayed by debouncing: only its clearing waits
            name == kFireAlarm ? hw::Debouncer::Edges::raise_at_once : hw::Debouncer::Edges::both) {}

  std::string name;
  std::string where;
  std::string chip;  // its chip's name: a read that hangs makes the chip slow
  gpiod::line line;
  boost::asio::posix::stream_descriptor events;  // a dup of the line's event fd
  hw::Debouncer debouncer;
  int read_failures = 0;          // failed level reads in a row (the episode was logged at the first)
  std::unique_ptr<Timer> reread;  // the next level read, while read_failures > 0
  bool lost = false;              // no longer read (logged once)
};

GpiodLines::GpiodLines(TimerService& timers, const Clock& clock, InputChanged on_input)
    : timers_(timers), clock_(clock), on_input_(std::move(on_input)), chips_(std::make_unique<Chips>()) {}

Result<std::unique_ptr<GpiodLines>> GpiodLines::open(boost::asio::io_context& io, TimerService& timers,
                                                     const std::map<std::string, hw::GpiodLineConfig>& lines,
                                                     InputChanged on_input) {
  return open(io, timers, Host{real_steady_clock()}, lines, std::move(on_input));
}

Result<std::unique_ptr<GpiodLines>> GpiodLines::open(boost::asio::io_context& io, TimerService& timers,
                                                     const Host& host,
                                                     const std::map<std::string, hw::GpiodLineConfig>& lines,
                                                     InputChanged on_input) {
  std::unique_ptr<GpiodLines> self(new GpiodLines(timers, host.clock, std::move(on_input)));
  for (const auto& [name, config] : lines) {
    if (auto added = self->add(io, name, config); !added.ok()) return added.error();
  }
  self->find_buses(host.sysfs);
  for (auto& [name, input] : self->inputs_) self->wait_for_events(input);
  self->poll_alarm_level();
  self->schedule_release_check();
  spdlog::info("event=gpio_ready inputs={} outputs={}", self->inputs_.size(), self->outputs_.size());
  return self;
}

// Each chip's I2C bus, so that a hang found on one chip marks every chip on its bus slow.
// A bus that cannot be told is not an error: the chip is found slow on its own then.
void GpiodLines::find_buses(const std::filesystem::path& sysfs) {
  std::set<std::string> names;
  for (const auto& [spec, chip] : chips_->by_spec) names.insert(chip.name());
  for (const std::string& name : names) {
    const auto bus = gpio_chip_i2c_bus(sysfs, name);
    if (!bus.ok()) {
      spdlog::warn("event=gpio_chip_bus_unknown chip={} detail={} hint=\"a hang of its I2C bus, if it is on one, is "
                   "found on this chip by itself, after a hung access of its own\"",
                   log_value(name), log_value(bus.error().message));
      continue;
    }
    slow_chips_.add(name, *bus);
  }
}

Status GpiodLines::add(boost::asio::io_context& io, const std::string& name,
                       const hw::GpiodLineConfig& config) {
  const std::string entry = entry_name(name);
  const auto parsed = hw::parse_line_name(name);
  if (!parsed) return make_error("invalid_argument", entry + ": not a line of the gate (lane<N>.<role> or fire_alarm)");
  const bool input = !parsed->role || hw::is_input(*parsed->role);

  auto chip = chips_->by_spec.find(config.chip);
  if (chip == chips_->by_spec.end()) {
    auto opened = open_chip(entry, config.chip);
    if (!opened.ok()) return opened.error();
    chip = chips_->by_spec.emplace(config.chip, std::move(*opened)).first;
  }
  try {
    auto found = find_line(entry, chip->second, config);
    if (!found.ok()) return found.error();
    gpiod::line line = std::move(*found);
    const std::string where = describe(line, config);
    const auto [other, fresh] = chips_->claimed.emplace(std::pair{chip->second.name(), line.offset()}, entry);
    if (!fresh) {
      return make_error("busy", entry + ": " + where + " is " + other->second + " too, expected one entry per line");
    }
    if (auto requested = request(entry, where, line, config, input); !requested.ok()) return requested;
    if (!input) {
      const bool release = parsed->role == hw::LineRole::release_in || parsed->role == hw::LineRole::release_out;
      outputs_.emplace(name, std::make_unique<Output>(where, chip->second.name(), release, std::move(line),
                                                      config.safe_active));
      if (release) release_lines_[chip->second.name()].push_back(name);
      return {};
    }
    const bool level = line.get_value() != 0;
    auto watched =
        std::make_shared<Input>(*this, io, name, where, chip->second.name(), std::move(line), config.debounce, level);
    const int fd = ::dup(watched->line.event_get_fd());
    if (fd < 0) {
      return gpio_error("io_error", entry, "cannot watch " + where, std::system_error(errno, std::system_category()));
    }
    boost::system::error_code ec;
    watched->events.assign(fd, ec);
    if (ec) {
      ::close(fd);
      return make_error("io_error", entry + ": cannot watch " + where + ": " + ec.message());
    }
    watched->events.non_blocking(true, ec);  // reads after readiness never block, even if it was spurious
    if (ec) return make_error("io_error", entry + ": cannot watch " + where + ": " + ec.message());
    inputs_.emplace(name, std::move(watched));
  } catch (const std::exception& e) {
    return gpio_error("io_error", entry, "cannot use the line on " + chip->second.name(), e);
  }
  return {};
}

GpiodLines::~GpiodLines() {
  // During a fire alarm (or with supervision lost) every release is left free, whatever its
  // safe level: the lanes stay free both ways while passgated is not running.
  const auto alarm = inputs_.find(kFireAlarm);
  const bool alarm_active = supervision_lost_ || (alarm != inputs_.end() && alarm->second->debouncer.level());
  // No loop to retry on any more: a failed write is tried again at once (EINTR, EAGAIN, an
  // EIO from a bus glitch often pass), but only while the chip is there (not ENODEV) and
  // attempts are quick. Every write makes the pin an output again (an expander that reset by
  // itself has turned its pins to inputs: a value written then drives nothing, and a level
  // confirmed before may be stale), so a release thought to be at its level is written too,
  // but after the others: exit releases not confirmed at the stop's level first, then entry
  // releases not confirmed, then the confirmed ones (exit, entry), then the rest; healthy
  // chips before slow ones within each. On a slow chip (each write may take seconds:
  // systemd's stop time-out) each release is written once, none more on a bus (or chip) once
  // a write there failed after taking too long now, and none more on any slow chip once the
  // stop has spent kStopSlowBudget; a chip found slow now counts as slow for the rest, with the
  // chips on its bus. Log lines (the journal may stall) are written after every write.
  slow_turn_.reset();
  std::set<std::string> hung;  // buses (or chips on no known bus) an access hung on here
  const SteadyTime stop_started = clock_.steady_now();
  const auto group_of = [this](const std::string& chip) { return slow_chips_.bus(chip).value_or(chip); };
  const auto level_at_stop = [alarm_active](const Output& out) { return out.release && alarm_active ? true : out.safe; };
  const auto failed_line = [this](const std::string& name, const Output& out, const std::string& detail) {
    pending_logs_.emplace_back(spdlog::level::err,
                               fmt::format("event=gpio_safe_level_failed line={} where={} detail={}", log_value(name),
                                           log_value(out.where), log_value(detail)));
  };
  std::vector<std::pair<int, std::string>> order;  // (rank, line): lowest rank first
  for (const auto& [name, out] : outputs_) {
    const bool confirmed = !out->tried && out->level == level_at_stop(*out);
    const int kind = !out->release ? 4 : (confirmed ? 2 : 0) + (name.ends_with(".release_out") ? 0 : 1);
    order.emplace_back(kind * 2 + (slow_chips_.contains(out->chip) ? 1 : 0), name);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& ranked : order) {
    const std::string& name = ranked.second;
    Output& out = *outputs_.at(name);
    out.retry.reset();
    const bool slow = slow_chips_.contains(out.chip);
    if (slow && !out.release) continue;
    const bool level = level_at_stop(out);
    if (slow && hung.contains(group_of(out.chip))) {
      failed_line(name, out, "not written: an access on its bus hung at this stop");
      continue;
    }
    if (slow && clock_.steady_now() - stop_started > kStopSlowBudget) {
      failed_line(name, out, "not written: this stop has spent its time on slow chips");
      continue;
    }
    std::string failure;
    for (int attempt = 0; attempt <= (slow ? 0 : kRetries); ++attempt) {
      const SteadyTime started = clock_.steady_now();
      const auto failed = write_verified(out.line, level, /*as_output=*/true);
      const bool too_long = too_slow(clock_.steady_now() - started);
      if (too_long) {
        // Hung: a slow write that failed. (One that worked slowly leaves the rest of the
        // bus to be tried: a retry or a scheduling delay is not a dead bus.)
        if (failed) hung.insert(group_of(out.chip));
        if (const auto line = mark_slow(out.chip)) pending_logs_.emplace_back(spdlog::level::err, *line);
      }
      if (!failed) {
        failure.clear();
        break;
      }
      failure = failed->why;
      // Only a chip that is gone ends the retries here: an EIO (which a direction write
      // reports where a value write hid it) is often a bus glitch that passes.
      if (failed->code == std::errc::no_such_device || too_long) break;
    }
    if (!failure.empty()) failed_line(name, out, failure);
  }
  write_logs();
}

void GpiodLines::set_output(const std::string& line, bool active) {
  const auto it = outputs_.find(line);
  if (it == outputs_.end()) {
    log_later(spdlog::level::warn,
              fmt::format("event=gpio_output_unknown line={} detail=\"not a configured output; set_output ignored\"",
                          log_value(line)));
    return;
  }
  Output& out = *it->second;
  out.wanted = active;
  if (out.retry) return;  // the pending write writes `wanted`, whatever it is by then
  if (!out.needs_write()) return;
  if (slow_chips_.contains(out.chip)) {
    // Each write to that chip may block the loop a second again: only releases are driven,
    // after whatever this loop turn writes to the other chips (at the fire alarm: every other
    // release first), one per handler. Lights and buzzers there are left as they are.
    if (out.release) start_slow_turns();
    return;
  }
  write_wanted(line, out);
}

void GpiodLines::start_slow_turns() {
  if (slow_paused_) return;  // a slow turn was slow: the next redrive starts them again
  std::size_t lines = 0;
  for (const std::string& chip : slow_chips_.chips()) {
    if (const auto found = release_lines_.find(chip); found != release_lines_.end()) lines += found->second.size();
  }
  slow_turns_left_ = std::max(slow_turns_left_, lines);
  if (!slow_turn_ && slow_turns_left_ > 0) {
    slow_chain_.clear();  // a chain begins
    slow_turn_ = timers_.start(Millis(0), [this] { slow_turn(); });
  }
}

// One release of a slow chip, in a handler of its own (one for all slow chips: several
// chips may hang on one bus): of those not served yet in this round, an exit release that may
// not have the level asked for, else such an entry release, else one held free whose read-back
// the last redrive asked for (exit releases first); each chip by chip and line by line. A
// round ends when every release due has been served in it: a release that can never be
// written (a dead chip) takes one turn a round, never every turn; and a chain serves each
// release once at most. If that took no longer than kSlowChain, the next turn follows
// at once (a bus that recovered frees every lane in a moment), each line at most once per
// chain; if it took longer, turns pause until the next redrive every kSlowRedriveChecks
// checks (a hung bus holds the loop a second or two per line, toward the watchdog).
void GpiodLines::slow_turn() {
  slow_turn_.reset();
  if (slow_turns_left_ == 0) return;
  --slow_turns_left_;
  // Every release of a slow chip, in the order they are served: writes (exit, then entry)
  // before read-backs (exit, then entry).
  std::vector<std::pair<int, std::string>> due;
  for (const std::string& chip : slow_chips_.chips()) {
    const auto found = release_lines_.find(chip);
    if (found == release_lines_.end()) continue;
    for (const std::string& name : found->second) {
      const Output& out = *outputs_.at(name);
      if (out.retry || !(out.needs_write() || slow_reads_due_.contains(name))) continue;
      due.emplace_back((out.needs_write() ? 0 : 2) + (name.ends_with(".release_out") ? 0 : 1), name);
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto pick = std::find_if(due.begin(), due.end(), [this](const auto& d) {
    return !slow_round_.contains(d.second) && !slow_chain_.contains(d.second);
  });
  if (pick == due.end()) {
    // Every release due was served in this round: a new one begins, with what this chain has
    // not served yet (a release asked for since); none: the chain ends.
    slow_round_.clear();
    pick = std::find_if(due.begin(), due.end(), [this](const auto& d) { return !slow_chain_.contains(d.second); });
  }
  if (pick == due.end()) {
    slow_turns_left_ = 0;
    return;
  }
  const std::string name = pick->second;
  slow_round_.insert(name);
  slow_chain_.insert(name);
  slow_reads_due_.erase(name);
  Output& out = *outputs_.at(name);
  const SteadyTime started = clock_.steady_now();
  if (out.needs_write()) {
    write_wanted(name, out);
  } else {
    read_back(name, out);
  }
  if (clock_.steady_now() - started > kSlowChain) {
    slow_turns_left_ = 0;
    slow_paused_ = true;
    return;
  }
  if (slow_turns_left_ > 0) slow_turn_ = timers_.start(Millis(0), [this] { slow_turn(); });
}

// Writes `wanted`; `level` changes only once the line has it.
void GpiodLines::write_wanted(const std::string& name, Output& out) {
  const bool active = out.wanted;
  const bool was_slow = slow_chips_.contains(out.chip);  // then supervision is lost already
  const SteadyTime started = clock_.steady_now();
  const auto failed = write_verified(out.line, active, out.reassert);
  const SteadyTime::duration took = clock_.steady_now() - started;
  if (too_slow(took)) slow_chip(out.chip);  // works or not: the next writes to it wait their turn
  if (failed) {
    out.tried = active;
    if (failed->mismatch) out.reassert = true;  // the pin may have become an input
    write_failed(name, out, failed->code, failed->why, took);
    return;
  }
  out.tried.reset();
  out.reassert = false;
  out.level = active;
  if (too_slow(took) && !was_slow) {
    // It took, but each write there may hold the loop as long again: the gate cannot drive
    // its lanes in time through this chip. Lanes free, as for a lost line.
    lose_supervision("output " + name + " (" + out.where + ")",
                     "a write " + took_too_long(took) + "): its chip is too slow to drive the lanes");
  }
  if (out.failures > 0 && !out.lost) {
    log_later(spdlog::level::info, fmt::format("event=gpio_output_recovered line={} where={} active={} attempts={}",
                                               log_value(name), log_value(out.where), active, out.failures + 1));
  }
  out.failures = 0;
}

void GpiodLines::write_failed(const std::string& name, Output& out, const std::error_code& code,
                              const std::string& why, SteadyTime::duration took) {
  if (out.lost) return;  // logged when it was lost; a later set_output still tries once, quietly
  const std::string what = "output " + name + " (" + out.where + ")";
  if (chip_gone(code)) {
    out.lost = true;
    lose_supervision(what, why);
    return;
  }
  ++out.failures;
  if (too_slow(took)) {
    // Each retry would block the loop as long again: seconds in all, toward the watchdog.
    out.lost = true;
    lose_supervision(what, "a failed write " + took_too_long(took) + ": not retried): " + why);
    return;
  }
  if (out.failures > kRetries) {
    out.lost = true;
    lose_supervision(what, std::to_string(out.failures) + " writes in a row failed, the last: " + why);
    return;
  }
  if (out.failures == 1) {
    log_later(spdlog::level::err,
              fmt::format("event=gpio_output_failed line={} where={} active={} detail={} hint=\"retried every {} ms, at "
                          "most {} times; then the line counts as lost\"",
                          log_value(name), log_value(out.where), out.wanted, log_value(why), kRetryDelay.count(),
                          kRetries));
  }
  out.retry = timers_.start(kRetryDelay, [this, name, &out] {
    out.retry.reset();
    if (slow_chips_.contains(out.chip)) {
      // Its chip was found slow meanwhile: a release waits for the slow turns (this chain's
      // too, though it served the line already), a light is left.
      if (out.release) {
        slow_chain_.erase(name);
        start_slow_turns();
      }
      return;
    }
    write_wanted(name, out);
  });
}

bool GpiodLines::releases_pending() const {
  return slow_turn_ != nullptr || std::any_of(outputs_.begin(), outputs_.end(), [](const auto& entry) {
           return entry.second->release && entry.second->retry != nullptr;
         });
}

bool GpiodLines::output(const std::string& line) const {
  const auto it = outputs_.find(line);
  return it != outputs_.end() && it->second->level;
}

std::map<std::string, bool> GpiodLines::inputs() const {
  std::map<std::string, bool> levels;
  for (const auto& [name, input] : inputs_) levels.emplace(name, input->debouncer.level());
  if (supervision_lost_) levels[kFireAlarm] = true;
  return levels;
}

void GpiodLines::wait_for_events(const std::shared_ptr<Input>& input) {
  input->events.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, weak = std::weak_ptr<Input>(input)](const boost::system::error_code& ec) {
                             const auto in = weak.lock();
                             if (!in || in->lost || ec == boost::asio::error::operation_aborted) return;
                             if (ec) {
                               lost(*in, ec.message());
                               return;
                             }
                             read_events(in);
                           });
}

void GpiodLines::read_events(const std::shared_ptr<Input>& input) {
  std::vector<gpiod::line_event> events;
  try {
    events = input->line.event_read_multiple();
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::resource_unavailable_try_again || e.code() == std::errc::interrupted) {
      // Readiness was spurious, or a signal interrupted the read before it took anything:
      // whatever is queued is still there, and waiting again finds it at once.
      wait_for_events(input);
    } else {
      lost(*input, e.what());
    }
    return;
  }
  wait_for_events(input);
  // Edge types are logical (active-low applied): rising means the line became active.
  for (const auto& event : events) input->debouncer.feed(event.event_type == gpiod::line_event::RISING_EDGE);
  // Then the level now, in case the kernel's queue was full and dropped the newest edges. A
  // pending re-read reads it soon anyway.
  if (!input->reread) read_level(input);
}

void GpiodLines::read_level(const std::shared_ptr<Input>& input) {
  Input& in = *input;
  if (in.lost) return;
  if (slow_chips_.contains(in.chip)) {
    // Each read there may hold the loop a second or two: no longer read (supervision is lost
    // already, so fire_alarm counts as active).
    lost(in, "its chip " + in.chip + " is too slow to read (gpio_chip_slow)");
    return;
  }
  bool active = false;
  const SteadyTime started = clock_.steady_now();
  try {
    active = in.line.get_value() != 0;
  } catch (const std::system_error& e) {
    read_level_failed(input, e.code(), e.what(), clock_.steady_now() - started);
    return;
  } catch (const std::exception& e) {
    read_level_failed(input, {}, e.what(), clock_.steady_now() - started);
    return;
  }
  const SteadyTime::duration took = clock_.steady_now() - started;
  in.debouncer.feed(active);  // first: an alarm never waits for a log line
  if (too_slow(took)) {
    // A read that hangs and then works would hold the loop at every poll: lost, as a
    // failed one (fire_alarm counts as active from now on), and its chip slow.
    slow_chip(in.chip);
    lost(in, "a read of its level " + took_too_long(took) + ")");
    return;
  }
  if (in.read_failures > 0) {
    log_later(spdlog::level::info, fmt::format("event=gpio_input_recovered line={} where={} attempts={}",
                                               log_value(in.name), log_value(in.where), in.read_failures + 1));
    in.read_failures = 0;
  }
}

void GpiodLines::read_level_failed(const std::shared_ptr<Input>& input, const std::error_code& code,
                                   const std::string& why, SteadyTime::duration took) {
  Input& in = *input;
  // The alarm's level is unknown: a clearing waiting for its hold waits again (a stale edge
  // must not clear it while reads fail). A raise never waits.
  if (in.name == kFireAlarm) in.debouncer.feed(in.debouncer.level());
  if (chip_gone(code)) {
    lost(in, why);
    return;
  }
  if (too_slow(took)) {
    // As for a write: each retry (and each poll of fire_alarm) would block the loop as long.
    slow_chip(in.chip);
    lost(in, "a failed read of its level " + took_too_long(took) + ": not retried): " + why);
    return;
  }
  if (++in.read_failures > kRetries) {
    lost(in, std::to_string(in.read_failures) + " reads of its level in a row failed, the last: " + why);
    return;
  }
  if (in.read_failures == 1) {
    log_later(spdlog::level::err,
              fmt::format("event=gpio_input_read_failed line={} where={} detail={} hint=\"retried every {} ms, at most "
                          "{} times; then the line counts as lost\"",
                          log_value(in.name), log_value(in.where), log_value(why), kRetryDelay.count(), kRetries));
  }
  in.reread = timers_.start(kRetryDelay, [this, weak = std::weak_ptr<Input>(input)] {
    const auto again = weak.lock();
    if (!again) return;
    again->reread.reset();
    read_level(again);
  });
}

void GpiodLines::slow_chip(const std::string& chip) {
  if (const auto line = mark_slow(chip)) log_later(spdlog::level::err, *line);
}

std::optional<std::string> GpiodLines::mark_slow(const std::string& chip) {
  const std::vector<std::string> marked = slow_chips_.mark(chip);
  if (marked.empty()) return std::nullopt;
  std::string names;
  for (const std::string& name : marked) names += (names.empty() ? "" : ",") + name;
  const auto bus = slow_chips_.bus(chip);
  const std::string together =
      marked.size() > 1 ? " and held every chip on its I2C bus " + *bus + " with it (a hung bus hangs them all)" : "";
  return fmt::format("event=gpio_chip_slow chip={} bus={} marked={} detail=\"a write or read took more than {} ms{}: "
                     "only {} release lines are written from now on, each after the lines on other chips\"",
                     log_value(chip), log_value(bus.value_or("none")), log_value(names), kSlowAttempt.count(),
                     together, marked.size() > 1 ? "their" : "its");
}

void GpiodLines::poll_alarm_level() {
  const auto alarm = inputs_.find(kFireAlarm);
  if (alarm == inputs_.end()) return;
  alarm_poll_ = timers_.start(kAlarmPoll, [this, weak = std::weak_ptr<Input>(alarm->second)] {
    const auto in = weak.lock();
    if (!in || in->lost) return;  // lost: fire_alarm is held active, nothing more to read
    if (!in->reread) read_level(in);  // a pending re-read reads it soon anyway
    poll_alarm_level();
  });
}

void GpiodLines::debounced(const Input& input, bool active) {
  if (supervision_lost_ && input.name == kFireAlarm) return;  // stays active while supervision is lost
  on_input_(input.name, active);
}

void GpiodLines::lost(Input& input, const std::string& why) {
  if (input.lost) return;
  input.lost = true;  // no longer read: its wait ends and no re-read is left
  input.reread.reset();
  boost::system::error_code ignored;
  input.events.cancel(ignored);
  lose_supervision("input " + input.name + " (" + input.where + ")", why);
}

void GpiodLines::lose_supervision(const std::string& what, const std::string& why) {
  const auto alarm = inputs_.find(kFireAlarm);
  const bool alarm_active = supervision_lost_ || (alarm != inputs_.end() && alarm->second->debouncer.level());
  if (!supervision_lost_) supervision_lost_ = "GPIO supervision lost: " + what + ": " + why;
  // From the loop, never from within set_output: the listener may be driving outputs right now.
  if (!alarm_active) {
    alarm_notice_ = timers_.start(Millis(0), [this] {
      alarm_notice_.reset();
      on_input_(kFireAlarm, true);
    });
  }
  log_later(spdlog::level::err, fmt::format("event=gpio_lost line={} fire_alarm=assumed_active detail={} "
                                            "hint=\"fire_alarm counts as active from now on (lost supervision)\"",
                                            log_value(what), log_value(why)));
}

void GpiodLines::schedule_release_check() {
  if (release_lines_.empty()) return;
  release_check_ = timers_.start(kReleaseCheck, [this] {
    check_releases();
    schedule_release_check();
  });
}

void GpiodLines::check_releases() {
  ++release_checks_;
  // A check stops at the first access that finds a chip slow: the chips on its bus are slow
  // with it, but expanders on other buses (or on a bus sysfs did not tell) may hang too (one
  // supply dip), and would otherwise cost a second or two each in this one handler.
  const std::size_t slow_before = slow_chips_.chips().size();
  const auto found_slow = [&] { return slow_chips_.chips().size() != slow_before; };
  std::set<std::string> touched;  // chips read or written this round
  for (auto& [name, out] : outputs_) {
    if (!out->release || out->retry) continue;
    if (slow_chips_.contains(out->chip)) continue;  // below
    if (out->needs_write()) {
      touched.insert(out->chip);
      write_wanted(name, *out);  // a lost line too, quietly
    } else if (out->wanted) {
      touched.insert(out->chip);
      read_back(name, *out);
    }
    if (found_slow()) return;
  }
  for (const auto& [chip, names] : release_lines_) {
    if (touched.contains(chip) || slow_chips_.contains(chip)) continue;
    auto& next = next_probe_[chip];
    const std::string& name = names[next++ % names.size()];
    Output& out = *outputs_.at(name);
    if (!out.retry) read_back(name, out);
    if (found_slow()) return;
  }
  if (release_checks_ % kSlowRedriveChecks == 0) redrive_slow_chips();
}

// The slow chips' releases get turns again: those that may not have their level are written,
// those held free read back (an expander that glitched once is the likeliest to reset again).
void GpiodLines::redrive_slow_chips() {
  for (const std::string& chip : slow_chips_.chips()) {
    const auto lines = release_lines_.find(chip);
    if (lines == release_lines_.end()) continue;
    for (const std::string& name : lines->second) {
      const Output& out = *outputs_.at(name);
      if (!out.needs_write() && out.wanted) slow_reads_due_.insert(name);
    }
  }
  slow_paused_ = false;
  start_slow_turns();
}

void GpiodLines::read_back(const std::string& name, Output& out) {
  const std::string what = "output " + name + " (" + out.where + ")";
  const bool was_slow = slow_chips_.contains(out.chip);  // then supervision is lost already
  const SteadyTime started = clock_.steady_now();
  std::optional<bool> read;
  std::error_code code;
  std::string why;
  try {
    read = out.line.get_value() != 0;
  } catch (const std::system_error& e) {
    code = e.code();
    why = e.what();
  } catch (const std::exception& e) {
    why = e.what();
  }
  const SteadyTime::duration took = clock_.steady_now() - started;
  if (read && *read != out.wanted) {
    log_later(spdlog::level::err,
              fmt::format("event=gpio_output_changed line={} where={} active={} detail=\"read back {} while it "
                          "should be {}: the chip lost it (reset?); written again\"",
                          log_value(name), log_value(out.where), out.wanted, *read ? 1 : 0, out.wanted ? 1 : 0));
    out.level = *read;
    out.reassert = true;
  } else if (!read) {
    out.tried = out.wanted;  // unknown: written again, and read back
  }
  if (too_slow(took)) {
    // It may hold the loop as long at every check: the chip cannot drive the lanes in time.
    if (was_slow) return;  // its next turn writes it, if it needs writing
    slow_chip(out.chip);
    lose_supervision(what, "a read-back " + took_too_long(took) + "): its chip is too slow to drive the lanes");
    return;
  }
  if (!read && chip_gone(code)) {
    if (!out.lost) {
      out.lost = true;
      lose_supervision(what, why);
    }
    return;
  }
  if (out.needs_write()) write_wanted(name, out);
}

void GpiodLines::log_later(spdlog::level::level_enum level, std::string line) {
  pending_logs_.emplace_back(level, std::move(line));
  if (!log_flush_) log_flush_ = timers_.start(Millis(0), [this] { flush_logs(); });
}

void GpiodLines::flush_logs() {
  if (alarm_notice_ || slow_turn_) {
    // The lanes hear of the alarm, and a slow chip's releases are written, first: the journal
    // may stall.
    log_flush_ = timers_.start(Millis(0), [this] { flush_logs(); });
    return;
  }
  log_flush_.reset();
  write_logs();
}

void GpiodLines::write_logs() {
  auto lines = std::move(pending_logs_);
  pending_logs_.clear();
  for (const auto& [level, line] : lines) spdlog::log(level, "{}", line);
}

}  // namespace passgate::drivers
