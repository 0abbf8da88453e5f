// metrics::Registry: passgated's small Prometheus client (Debian 12 packages none). Counter
// and gauge families with labels, and histograms with fixed buckets, rendered as one page in
// the text exposition format 0.0.4 (common/metrics_text.hpp): families in the order they
// were registered, each with its HELP and TYPE lines, series sorted by label values.
// Values kept elsewhere (the database, the lanes) are copied in by collectors, which run at
// the start of every render. A wrong metric or label name, or a sample with the wrong number
// of label values, is a programming error: std::invalid_argument.
// Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace passgate::controller::metrics {

// A series' label values, in the order of its family's label names.
using Labels = std::vector<std::string>;

class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  // The HELP and TYPE lines and every series.
  void render(std::string& out) const;

 protected:
  Family(std::string name, std::string help, std::vector<std::string> label_names, std::string_view type);
  // Throws std::invalid_argument unless `labels` has one value per label name.
  void check(const Labels& labels) const;
  [[nodiscard]] std::vector<std::pair<std::string_view, std::string_view>> label_pairs(const Labels& labels) const;

 private:
  virtual void render_series(std::string& out) const = 0;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::string_view type_;
};

// Counters ("counter") and gauges ("gauge"): one value per series.
class ValueFamily : public Family {
 public:
  // The series' value; 0 if it does not exist.
  [[nodiscard]] double value(const Labels& labels) const;
  // Forgets every series (a collector about to set the current ones).
  void clear() { values_.clear(); }

 protected:
  using Family::Family;
  std::map<Labels, double> values_;

 private:
  void render_series(std::string& out) const override;
};

class Counter final : public ValueFamily {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> label_names)
      : ValueFamily(std::move(name), std::move(help), std::move(label_names), "counter") {}
  // The series exists from now on, at 0 if it did not (so rate() sees it from the start).
  void init(const Labels& labels);
  void inc(const Labels& labels, double by = 1);
  // A count kept elsewhere (copied by a collector); it must never go down.
  void set(const Labels& labels, double total);
};

class Gauge final : public ValueFamily {
 public:
  Gauge(std::string name, std::string help, std::vector<std::string> label_names)
      : ValueFamily(std::move(name), std::move(help), std::move(label_names), "gauge") {}
  void set(const Labels& labels, double value);
};

// name_bucket{...,le="<bound>"} (cumulative), name_bucket{...,le="+Inf"}, name_sum, name_count.
class Histogram final : public Family {
 public:
  // `bounds`: the buckets' upper bounds, increasing; +Inf is added.
  Histogram(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);
  void init(const Labels& labels);
  void observe(const Labels& labels, double value);
  // The series' number of observations; 0 if it does not exist.
  [[nodiscard]] std::uint64_t count(const Labels& labels) const;

 private:
  struct Series {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative; the last one is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  void render_series(std::string& out) const override;
  Series& series(const Labels& labels);

  std::vector<double> bounds_;
  std::map<Labels, Series> series_;
};

class Registry {
 public:
  // Each name once (std::invalid_argument otherwise). The family lives as long as the registry.
  Counter& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  Gauge& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  Histogram& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> bounds);
  // Runs at the start of every render(), in the order added.
  void add_collector(std::function<void()> collect);

  // Runs the collectors, then renders every family.
  [[nodiscard]] std::string render();

 private:
  template <class F, class... Args>
  F& add(Args&&... args);

  std::vector<std::unique_ptr<Family>> families_;
  std::vector<std::function<void()>> collectors_;
};

}  // namespace passgate::controller::metrics
