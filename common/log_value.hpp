// Values in structured (key=value) log lines: every log line is `event=<name> key=value ...`,
// and a value that is empty or holds a space, a quote, '=' or a control byte is written
// quoted, with \" \\ \n \t and \xNN escapes, so every line splits back into its fields.
//   spdlog::warn("event=scan_refused scanner={} reason={}", log_value(scanner), log_value(why));
// Never pass a token, key or payment reference: they are not logged at all.
#pragma once

#include <string>
#include <string_view>

namespace passgate {

[[nodiscard]] std::string log_value(std::string_view value);

}  // namespace passgate
