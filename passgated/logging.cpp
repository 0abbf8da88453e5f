#include "passgated/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/journal_entry.hpp"
#include "passgated/journal_sink.hpp"

namespace passgate::daemon {

namespace {

constexpr const char* kIdentifier = "passgated";

// The level as the config spells it (`warn`, not spdlog's `warning`).
std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return "off";
}

class LevelName final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelName>(); }
};

std::unique_ptr<spdlog::formatter> line_format() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelName>('l').set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v");
  return formatter;
}

}  // namespace

Status setup_logging(const controller::LoggingConfig& config) {
  spdlog::sink_ptr sink;
  std::string_view target;
  try {
    if (!config.file.empty()) {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(config.file.string());
      target = "file";
    } else if (is_journal_stream(std::getenv("JOURNAL_STREAM"), fileno(stderr))) {
      sink = std::make_shared<JournalSink>(kIdentifier);
      target = "journal";
    } else {
      sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
      target = "stderr";
    }
  } catch (const spdlog::spdlog_ex& e) {
    return make_error("logging", "cannot open log file " + config.file.string() + ": " + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>(kIdentifier, std::move(sink));
  logger->set_formatter(line_format());
  logger->set_level(spdlog::level::from_str(config.level));
  logger->flush_on(spdlog::level::trace);  // a gate logs little; every line reaches the file at once
  spdlog::set_default_logger(std::move(logger));
  spdlog::info("event=logging_started target={} log_level={}", target, config.level);
  return {};
}

}  // namespace passgate::daemon
