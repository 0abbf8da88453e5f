// GateMetrics: the gate's part of passgated's metrics (docs/metrics.md). Counted as they
// happen, as one of the gate's observers: what became of each scan (passgate_scans_total)
// and each card tap (passgate_card_decisions_total), admissions by mode, passages by kind,
// and the scan-to-release latency histogram. Read from the gate at every scrape: the fire
// alarm, each lane's service, state, scanner and card entry, and its alarms (counted by the
// lanes themselves). Observes the gate from construction to
// destruction; the registry must not render after it is gone. Single-threaded, on the loop.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "controller/lanes/gate.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "controller/metrics/registry.hpp"

namespace passgate::controller {

class GateMetrics final : public GateObserver {
 public:
  // The latency histogram's buckets, in seconds: 0.5 ms to 1 s (and 2.5 s, then +Inf).
  static constexpr std::array<double, 12> kLatencyBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                          0.1,    0.25,  0.5,    1,     2.5};

  GateMetrics(metrics::Registry& registry, Gate& gate);
  ~GateMetrics() override;
  GateMetrics(const GateMetrics&) = delete;
  GateMetrics& operator=(const GateMetrics&) = delete;

  // GateObserver: the live view's calls mean nothing here.
  void on_input_changed(const std::string& /*line*/) override {}
  void on_scan_read(const std::string& /*scanner*/, const std::string& /*text*/) override {}
  void on_scanner_connection(const std::string& /*scanner*/, bool /*connected*/,
                             const std::string& /*detail*/) override {}
  void on_scan_dropped(std::optional<int> lane, ScanDrop why) override;
  void on_scan_answered(int lane, const AdmissionResult& answer) override;
  void on_release(int lane, std::chrono::nanoseconds latency, bool offline) override;
  void on_passage(int lane, Direction direction, PassageKind kind) override;

 private:
  void collect();

  Gate& gate_;
  metrics::Counter& scans_;
  metrics::Counter& admissions_;
  metrics::Counter& card_decisions_;
  metrics::Counter& passages_;
  metrics::Histogram& latency_;
  metrics::Gauge& fire_alarm_;
  metrics::Gauge& fire_alarm_cause_;
  metrics::Gauge& in_service_;
  metrics::Gauge& fault_;
  metrics::Gauge& state_;
  metrics::Gauge& scanner_;
  metrics::Gauge& card_entry_;
  metrics::Gauge& card_entry_off_;
  metrics::Counter& alarms_;
  metrics::Gauge& alarm_active_;
};

}  // namespace passgate::controller
