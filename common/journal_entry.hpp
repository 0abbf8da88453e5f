// What passgated sends to the systemd journal, and whether it should (systemd.exec(5),
// JOURNAL_STREAM). An entry is MESSAGE (the whole `event=... key=value` text), PRIORITY
// (syslog: debug 7 ... critical 2), SYSLOG_IDENTIFIER, and each key=value of the message as
// an upper-case field (EVENT=scan_refused, LANE=1), so `journalctl EVENT=...` filters on it.
// Keys whose upper-case form is a field journald gives its own meaning (MESSAGE, CODE_LINE,
// ERRNO, ...) stay only in MESSAGE.
#pragma once

#include <spdlog/common.h>

#include <string>
#include <string_view>
#include <vector>

namespace passgate {

// "FIELD=value" strings, MESSAGE first.
[[nodiscard]] std::vector<std::string> journal_entry(spdlog::level::level_enum level, std::string_view message,
                                                     std::string_view identifier);

// True if `fd` is the stream systemd connected to the journal: `journal_stream` (the
// JOURNAL_STREAM variable, "DEVICE:INODE", null when unset) names fd's device and inode.
// A service whose stderr was redirected elsewhere (a pipe, a file) is not logging to the journal.
[[nodiscard]] bool is_journal_stream(const char* journal_stream, int fd);

}  // namespace passgate
