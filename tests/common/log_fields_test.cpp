#include "common/log_fields.hpp"

#include <catch2/catch.hpp>

#include "common/log_value.hpp"

using passgate::log_value;
using passgate::LogField;
using passgate::parse_log_fields;

TEST_CASE("a structured log line splits back into its fields, in order") {
  const auto fields = parse_log_fields("event=scan_refused lane=1 reason=too_long");
  CHECK(fields == std::vector<LogField>{{"event", "scan_refused"}, {"lane", "1"}, {"reason", "too_long"}});
}

TEST_CASE("quoted values come back as log_value was given them") {
  for (const std::string value : {"", "line 4 in use", "a=b", "say \"hi\"", "back\\slash", "two\nlines\tand\x01",
                                  "ends with a backslash \\"}) {
    INFO(value);
    const auto fields = parse_log_fields("event=x detail=" + log_value(value) + " after=1");
    REQUIRE(fields.size() == 3);
    CHECK(fields[1] == LogField{"detail", value});
    CHECK(fields[2] == LogField{"after", "1"});
  }
}

TEST_CASE("words that are not key=value are skipped") {
  const auto fields = parse_log_fields("ts=2026-12-02T10:00:00.123Z  free text Key=upper event=ready =x");
  CHECK(fields == std::vector<LogField>{{"ts", "2026-12-02T10:00:00.123Z"}, {"event", "ready"}});
}

TEST_CASE("an unterminated quote or a bad escape ends the value without reading past the line") {
  CHECK(parse_log_fields("detail=\"open") == std::vector<LogField>{{"detail", "open"}});
  CHECK(parse_log_fields("detail=\"\\xZ1\"") == std::vector<LogField>{{"detail", "\\xZ1"}});
  CHECK(parse_log_fields("detail=\"\\x4") == std::vector<LogField>{{"detail", "\\x4"}});
}
