// Reading a structured log line back into its fields: `event=scan_refused scanner=lane1.entry
// reason="too long"` gives (event, scan_refused), (scanner, lane1.entry), (reason, too long),
// undoing log_value()'s quoting and escapes. The journal sink turns these into journal fields;
// tests use it to check what a line says. A word without `key=` is skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace passgate {

struct LogField {
  std::string key;
  std::string value;
  bool operator==(const LogField&) const = default;
};

[[nodiscard]] std::vector<LogField> parse_log_fields(std::string_view line);

}  // namespace passgate
