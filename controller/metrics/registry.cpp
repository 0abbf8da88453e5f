#include "controller/metrics/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "common/metrics_text.hpp"

namespace passgate::controller::metrics {

using prometheus::append_header;
using prometheus::append_sample;
using prometheus::format_value;
using prometheus::valid_label_name;
using prometheus::valid_metric_name;

Family::Family(std::string name, std::string help, std::vector<std::string> label_names, std::string_view type)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), type_(type) {
  if (!valid_metric_name(name_)) throw std::invalid_argument("invalid metric name \"" + name_ + "\"");
  for (const auto& label : label_names_) {
    if (!valid_label_name(label)) throw std::invalid_argument(name_ + ": invalid label name \"" + label + "\"");
  }
}

void Family::render(std::string& out) const {
  append_header(out, name_, help_, type_);
  render_series(out);
}

void Family::check(const Labels& labels) const {
  if (labels.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": " + std::to_string(labels.size()) + " label value(s) for " +
                                std::to_string(label_names_.size()) + " label(s)");
  }
}

std::vector<std::pair<std::string_view, std::string_view>> Family::label_pairs(const Labels& labels) const {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve(labels.size() + 1);
  for (std::size_t i = 0; i < labels.size(); ++i) pairs.emplace_back(label_names_[i], labels[i]);
  return pairs;
}

double ValueFamily::value(const Labels& labels) const {
  const auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void ValueFamily::render_series(std::string& out) const {
  for (const auto& [labels, value] : values_) append_sample(out, name(), label_pairs(labels), value);
}

void Counter::init(const Labels& labels) {
  check(labels);
  values_.try_emplace(labels, 0);
}

void Counter::inc(const Labels& labels, double by) {
  check(labels);
  values_[labels] += by;
}

void Counter::set(const Labels& labels, double total) {
  check(labels);
  values_[labels] = total;
}

void Gauge::set(const Labels& labels, double value) {
  check(labels);
  values_[labels] = value;
}

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names), "histogram"), bounds_(std::move(bounds)) {
  if (bounds_.empty() || !std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::invalid_argument(this->name() + ": bucket bounds must be given and increasing");
  }
}

Histogram::Series& Histogram::series(const Labels& labels) {
  check(labels);
  auto [it, fresh] = series_.try_emplace(labels);
  if (fresh) it->second.counts.assign(bounds_.size() + 1, 0);
  return it->second;
}

void Histogram::init(const Labels& labels) { (void)series(labels); }

void Histogram::observe(const Labels& labels, double value) {
  Series& s = series(labels);
  // The first bucket whose upper bound holds the value (le: less than or equal).
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++s.counts[static_cast<std::size_t>(bucket)];
  s.sum += value;
  ++s.count;
}

std::uint64_t Histogram::count(const Labels& labels) const {
  const auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::render_series(std::string& out) const {
  const std::string bucket = name() + "_bucket";
  for (const auto& [labels, s] : series_) {
    auto pairs = label_pairs(labels);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.counts[i];
      const std::string le = i < bounds_.size() ? format_value(bounds_[i]) : "+Inf";
      pairs.emplace_back("le", le);
      append_sample(out, bucket, pairs, static_cast<double>(cumulative));
      pairs.pop_back();
    }
    append_sample(out, name() + "_sum", pairs, s.sum);
    append_sample(out, name() + "_count", pairs, static_cast<double>(s.count));
  }
}

template <class F, class... Args>
F& Registry::add(Args&&... args) {
  auto family = std::make_unique<F>(std::forward<Args>(args)...);
  const bool taken = std::any_of(families_.begin(), families_.end(),
                                 [&](const auto& f) { return f->name() == family->name(); });
  if (taken) throw std::invalid_argument("metric \"" + family->name() + "\" registered twice");
  F& added = *family;
  families_.push_back(std::move(family));
  return added;
}

Counter& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<Counter>(std::move(name), std::move(help), std::move(label_names));
}

Gauge& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<Gauge>(std::move(name), std::move(help), std::move(label_names));
}

Histogram& Registry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                               std::vector<double> bounds) {
  return add<Histogram>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
}

void Registry::add_collector(std::function<void()> collect) { collectors_.push_back(std::move(collect)); }

std::string Registry::render() {
  for (const auto& collect : collectors_) collect();
  std::string out;
  for (const auto& family : families_) family->render(out);
  return out;
}

}  // namespace passgate::controller::metrics
