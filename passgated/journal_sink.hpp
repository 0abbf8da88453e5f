// JournalSink: an spdlog sink writing each line to the systemd journal with sd_journal_sendv,
// as the entry common/journal_entry.hpp builds (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and the
// message's key=value pairs as fields). spdlog's own systemd_sink sends only the first three.
// If sending fails with an error, the line goes to standard error instead (libsystemd drops
// entries silently only when no journal socket exists, which JOURNAL_STREAM rules out).
#pragma once

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <string>

namespace passgate::daemon {

class JournalSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit JournalSink(std::string identifier) : identifier_(std::move(identifier)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string identifier_;
};

}  // namespace passgate::daemon
