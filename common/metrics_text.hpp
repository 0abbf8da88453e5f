// The Prometheus text exposition format 0.0.4, piece by piece, for metrics::Registry
// (controller/metrics/registry.hpp): which metric and label names are valid, how HELP text
// and label values are escaped, how a sample value is written, and one sample line.
//   # HELP passgate_scans_total Scans by lane and outcome.
//   # TYPE passgate_scans_total counter
//   passgate_scans_total{lane="1",outcome="admitted"} 3
// Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace passgate::prometheus {

// The Content-Type of a page in this format.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
[[nodiscard]] bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved), and not "le" (histograms' own).
[[nodiscard]] bool valid_label_name(std::string_view name);

// HELP text: backslash and line feed escaped as \\ and \n.
[[nodiscard]] std::string escape_help(std::string_view text);
// A label value: backslash, double quote and line feed escaped as \\, \" and \n.
[[nodiscard]] std::string escape_label_value(std::string_view value);
// A sample value: integers exactly ("3", "-1", "1700000000"), others with the fewest digits
// that read back the same, in %g style as Prometheus' Go client writes them ("0.0005",
// "2.5", "1.5e-07", "1.70000000025e+09"), and "+Inf", "-Inf", "NaN".
[[nodiscard]] std::string format_value(double value);

// "# HELP name help\n# TYPE name type\n".
void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type);
// One sample line: `name{label="value",...} value\n`, without braces when there are no labels.
void append_sample(std::string& out, std::string_view name,
                   const std::vector<std::pair<std::string_view, std::string_view>>& labels, double value);

}  // namespace passgate::prometheus
