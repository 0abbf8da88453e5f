#include "controller/main/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace passgate::daemon {

Status setup_logging(const controller::LoggingConfig& config) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (config.file.empty()) {
      logger = spdlog::stderr_logger_st("passgated");
    } else {
      logger = spdlog::basic_logger_st("passgated", config.file.string());
    }
  } catch (const spdlog::spdlog_ex& e) {
    return make_error("logging", "cannot open log file " + config.file.string() + ": " + e.what());
  }
  logger->set_level(spdlog::level::from_str(config.level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace passgate::daemon
