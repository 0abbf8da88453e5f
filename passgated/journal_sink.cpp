#include "passgated/journal_sink.hpp"

#include <sys/uio.h>

#include <cstdio>
#include <vector>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "common/journal_entry.hpp"

namespace passgate::daemon {

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  const std::string_view message(msg.payload.data(), msg.payload.size());
  const std::vector<std::string> entry = journal_entry(msg.level, message, identifier_);
  std::vector<iovec> fields;
  fields.reserve(entry.size());
  for (const std::string& field : entry) fields.push_back(iovec{const_cast<char*>(field.data()), field.size()});
  if (sd_journal_sendv(fields.data(), static_cast<int>(fields.size())) < 0) {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace passgate::daemon
