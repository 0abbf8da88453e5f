// QuietLog: while it exists the gate's log lines are dropped (a generated day logs hundreds),
// unless PASSGATE_MODEL_LOG is set, to see a day's events while replaying it.
#pragma once

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace passgate::model {

class QuietLog {
 public:
  QuietLog() : level_(spdlog::get_level()) {
    if (std::getenv("PASSGATE_MODEL_LOG") == nullptr) spdlog::set_level(spdlog::level::off);
  }
  ~QuietLog() { spdlog::set_level(level_); }
  QuietLog(const QuietLog&) = delete;
  QuietLog& operator=(const QuietLog&) = delete;

 private:
  spdlog::level::level_enum level_;
};

}  // namespace passgate::model
