// Log set-up for passgated: level and destination from the config's [logging] section.
// Destination, first that applies:
//  - [logging] file, when set: lines appended to that file;
//  - the systemd journal, when standard error is connected to it: JOURNAL_STREAM names
//    stderr's device and inode (systemd.exec(5); a service with the default
//    StandardError=journal). INVOCATION_ID alone would only say "started by systemd", not
//    where stderr goes (StandardError=file:..., a pipe), so it is not used. Entries carry
//    PRIORITY, SYSLOG_IDENTIFIER=passgated and the message's key=value pairs as fields;
//  - standard error.
// File and stderr lines read `ts=2026-12-02T10:00:00.123Z level=info event=... key=value`
// (UTC, milliseconds; levels trace debug info warn error critical).
#pragma once

#include "common/result.hpp"
#include "controller/config/config.hpp"

namespace passgate::daemon {

[[nodiscard]] Status setup_logging(const controller::LoggingConfig& config);

}  // namespace passgate::daemon
