#include "controller/metrics/backends.hpp"

#include "common/time_format.hpp"

namespace passgate::controller {

namespace {

const std::string kTracking = "tracking_engine";
const std::string kGateway = "payment_gateway";

}  // namespace

BackendMetrics::BackendMetrics(metrics::Registry& registry, const WatchedTracking& tracking,
                               const PaymentDrainer& drainer, db::GateStatus& status, db::Outbox& outbox,
                               const OutboxSender& sender, Clock& clock)
    : tracking_(tracking),
      drainer_(drainer),
      status_(status),
      outbox_(outbox),
      sender_(sender),
      clock_(clock),
      up_(registry.gauge("passgate_backend_up",
                         "1 if the backend answered its last request (any HTTP status below 500), 0 if it did not "
                         "(no answer, time-out or 5xx). No series before the first request.",
                         {"backend"})),
      since_(registry.gauge("passgate_backend_up_since_timestamp_seconds",
                            "Unix time at which passgate_backend_up last changed.", {"backend"})),
      outbox_length_(registry.gauge("passgate_tracking_outbox_length",
                                    "Reports (sessions, passages, cancels) stored for the tracking engine and not yet "
                                    "acknowledged by it, dead letters not counted.")),
      outbox_dead_letters_(registry.gauge("passgate_tracking_outbox_dead_letters",
                                          "Reports the tracking engine kept rejecting, held for an operator "
                                          "(passgatectl outbox).")),
      outbox_oldest_age_(registry.gauge("passgate_tracking_outbox_oldest_age_seconds",
                                        "Age of the oldest report still to deliver (0: none), by the wall clock.")),
      delivered_(registry.counter("passgate_tracking_reports_delivered_total",
                                  "Reports the tracking engine acknowledged.")),
      failed_(registry.counter("passgate_tracking_report_failures_total",
                               "Attempts to send a report to the tracking engine that failed (retried later).")) {
  registry.add_collector([this] { collect(); });
}

void BackendMetrics::collect() {
  up_.clear();
  since_.clear();
  if (const auto& tracking = tracking_.reachability()) {
    up_.set({kTracking}, tracking->reachable ? 1 : 0);
    since_.set({kTracking}, static_cast<double>(unix_millis(tracking->since)) / 1000);
  }
  if (const auto reachable = drainer_.gateway_reachable()) {
    up_.set({kGateway}, *reachable ? 1 : 0);
    // The drainer publishes each change of reachability, with its time, as "gateway".
    const auto published = status_.get("gateway");
    if (published.ok() && *published && (*published)->value == (*reachable ? "reachable" : "unreachable")) {
      since_.set({kGateway}, static_cast<double>((*published)->updated_at_ms) / 1000);
    }
  }
  outbox_length_.clear();
  outbox_dead_letters_.clear();
  outbox_oldest_age_.clear();
  if (const auto outbox = outbox_.summary(); outbox.ok()) {
    outbox_length_.set({}, static_cast<double>(outbox->waiting));
    outbox_dead_letters_.set({}, static_cast<double>(outbox->dead_letters));
    const std::int64_t age_ms = outbox->oldest ? unix_millis(clock_.wall_now()) - outbox->oldest->created_at_ms : 0;
    outbox_oldest_age_.set({}, static_cast<double>(std::max<std::int64_t>(age_ms, 0)) / 1000);
  }
  delivered_.set({}, static_cast<double>(sender_.delivered()));
  failed_.set({}, static_cast<double>(sender_.failed_attempts()));
}

}  // namespace passgate::controller
