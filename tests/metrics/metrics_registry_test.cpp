// metrics::Registry renders the exact Prometheus text exposition format 0.0.4: HELP and TYPE
// lines, series sorted by label values, histogram buckets cumulative with +Inf, _sum and
// _count; collectors run before every render; misuse is refused.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "controller/metrics/registry.hpp"

using namespace passgate::controller::metrics;

TEST_CASE("counters and gauges render with their HELP and TYPE lines, in registration order") {
  Registry registry;
  auto& scans = registry.counter("app_scans_total", "Scans by lane.\nSecond line \\ here.", {"lane", "outcome"});
  auto& up = registry.gauge("app_up", "Whether it is up.");
  scans.inc({"2", "denied"});
  scans.inc({"1", "admitted"}, 2);
  scans.inc({"1", "admitted"});
  up.set({}, 1);
  CHECK(registry.render() ==
        "# HELP app_scans_total Scans by lane.\\nSecond line \\\\ here.\n"
        "# TYPE app_scans_total counter\n"
        "app_scans_total{lane=\"1\",outcome=\"admitted\"} 3\n"
        "app_scans_total{lane=\"2\",outcome=\"denied\"} 1\n"
        "# HELP app_up Whether it is up.\n"
        "# TYPE app_up gauge\n"
        "app_up 1\n");
}

TEST_CASE("label values are escaped and an empty one is kept") {
  Registry registry;
  auto& c = registry.counter("c_total", "h", {"path", "reason"});
  c.init({"C:\\x \"y\"\nz", ""});
  CHECK(registry.render() ==
        "# HELP c_total h\n# TYPE c_total counter\nc_total{path=\"C:\\\\x \\\"y\\\"\\nz\",reason=\"\"} 0\n");
}

TEST_CASE("a family with no series still says what it is") {
  Registry registry;
  (void)registry.gauge("g", "nothing yet", {"k"});
  CHECK(registry.render() == "# HELP g nothing yet\n# TYPE g gauge\n");
}

TEST_CASE("a histogram renders cumulative buckets, +Inf, sum and count") {
  Registry registry;
  auto& h = registry.histogram("lat_seconds", "Latency.", {"mode"}, {0.0005, 0.001, 0.5, 1});
  h.observe({"online"}, 0.0005);  // on a bound: that bucket (le)
  h.observe({"online"}, 0.0007);
  h.observe({"online"}, 0.75);
  h.observe({"online"}, 3);
  h.init({"offline"});
  CHECK(h.count({"online"}) == 4);
  CHECK(registry.render() ==
        "# HELP lat_seconds Latency.\n"
        "# TYPE lat_seconds histogram\n"
        "lat_seconds_bucket{mode=\"offline\",le=\"0.0005\"} 0\n"
        "lat_seconds_bucket{mode=\"offline\",le=\"0.001\"} 0\n"
        "lat_seconds_bucket{mode=\"offline\",le=\"0.5\"} 0\n"
        "lat_seconds_bucket{mode=\"offline\",le=\"1\"} 0\n"
        "lat_seconds_bucket{mode=\"offline\",le=\"+Inf\"} 0\n"
        "lat_seconds_sum{mode=\"offline\"} 0\n"
        "lat_seconds_count{mode=\"offline\"} 0\n"
        "lat_seconds_bucket{mode=\"online\",le=\"0.0005\"} 1\n"
        "lat_seconds_bucket{mode=\"online\",le=\"0.001\"} 2\n"
        "lat_seconds_bucket{mode=\"online\",le=\"0.5\"} 2\n"
        "lat_seconds_bucket{mode=\"online\",le=\"1\"} 3\n"
        "lat_seconds_bucket{mode=\"online\",le=\"+Inf\"} 4\n"
        "lat_seconds_sum{mode=\"online\"} 3.7512\n"
        "lat_seconds_count{mode=\"online\"} 4\n");
}

TEST_CASE("a histogram without labels renders only le") {
  Registry registry;
  registry.histogram("h", "x", {}, {1}).observe({}, 0.5);
  CHECK(registry.render() ==
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n");
}

TEST_CASE("collectors run before every render and may replace a family's series") {
  Registry registry;
  auto& owed = registry.gauge("owed", "Owed by currency.", {"currency"});
  auto& total = registry.counter("done_total", "Done elsewhere.");
  int renders = 0;
  registry.add_collector([&] {
    ++renders;
    owed.clear();
    owed.set({renders == 1 ? "USD" : "EUR"}, 12.5);
    total.set({}, renders * 10);
  });
  CHECK(registry.render().find("owed{currency=\"USD\"} 12.5\n") != std::string::npos);
  const std::string second = registry.render();
  CHECK(second.find("USD") == std::string::npos);
  CHECK(second.find("owed{currency=\"EUR\"} 12.5\n") != std::string::npos);
  CHECK(second.find("done_total 20\n") != std::string::npos);
  CHECK(total.value({}) == 20);
}

TEST_CASE("bad names, twice the same name, bad buckets and the wrong number of labels are refused") {
  Registry registry;
  CHECK_THROWS_AS(registry.counter("bad-name", "h"), std::invalid_argument);
  CHECK_THROWS_AS(registry.gauge("g", "h", {"le"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h1", "h", {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h2", "h", {}, {1, 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h3", "h", {}, {1, 1}), std::invalid_argument);
  auto& c = registry.counter("c_total", "h", {"lane"});
  CHECK_THROWS_AS(registry.gauge("c_total", "h"), std::invalid_argument);
  CHECK_THROWS_AS(c.inc({}), std::invalid_argument);
  CHECK_THROWS_AS(c.inc({"1", "2"}), std::invalid_argument);
}
