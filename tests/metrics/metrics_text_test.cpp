// The pieces of the Prometheus text exposition format 0.0.4: names, escaping of HELP text
// and label values, sample values.
#include <catch2/catch.hpp>

#include <limits>

#include "common/metrics_text.hpp"

using namespace passgate::prometheus;

TEST_CASE("metric names follow [a-zA-Z_:][a-zA-Z0-9_:]*") {
  CHECK(valid_metric_name("passgate_scans_total"));
  CHECK(valid_metric_name("job:rate5m"));
  CHECK(valid_metric_name("_x9"));
  CHECK_FALSE(valid_metric_name(""));
  CHECK_FALSE(valid_metric_name("9lives"));
  CHECK_FALSE(valid_metric_name("scan-total"));
  CHECK_FALSE(valid_metric_name("scans total"));
}

TEST_CASE("label names follow [a-zA-Z_][a-zA-Z0-9_]*, without __ or le") {
  CHECK(valid_label_name("lane"));
  CHECK(valid_label_name("_x"));
  CHECK_FALSE(valid_label_name(""));
  CHECK_FALSE(valid_label_name("__name__"));
  CHECK_FALSE(valid_label_name("le"));
  CHECK_FALSE(valid_label_name("a:b"));
  CHECK_FALSE(valid_label_name("1a"));
}

TEST_CASE("HELP text escapes backslash and line feed only") {
  CHECK(escape_help("a \"quoted\" \\ path\nnext") == "a \"quoted\" \\\\ path\\nnext");
}

TEST_CASE("label values escape backslash, double quote and line feed") {
  CHECK(escape_label_value("C:\\dir \"x\"\ny") == "C:\\\\dir \\\"x\\\"\\ny");
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("") == "");
}

TEST_CASE("sample values: integers exactly, others with the fewest digits in %g style, infinities and NaN by name") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(3) == "3");
  CHECK(format_value(-1) == "-1");
  CHECK(format_value(1700000000) == "1700000000");
  CHECK(format_value(1700000000.25) == "1.70000000025e+09");
  CHECK(format_value(0.0005) == "0.0005");
  CHECK(format_value(2.5) == "2.5");
  CHECK(format_value(1.5e-7) == "1.5e-07");
  CHECK(format_value(1e300) == "1e+300");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("a sample line has its labels in braces, or none") {
  std::string out;
  append_sample(out, "up", {}, 1);
  append_sample(out, "x_total", {{"lane", "1"}, {"why", "a\"b"}}, 2);
  CHECK(out == "up 1\nx_total{lane=\"1\",why=\"a\\\"b\"} 2\n");
}
