// ControlSources: what passgated's control commands read and wake besides the Gate, all
// owned by run_daemon (passgated/daemon.cpp) and outliving the commands.
#pragma once

#include <chrono>
#include <functional>

#include "controller/admission/service.hpp"
#include "controller/config/config.hpp"
#include "controller/settlement/card_planner.hpp"
#include "controller/settlement/wall_clock_watch.hpp"
#include "controller/store/store_link.hpp"
#include "controller/tracking/reports.hpp"
#include "controller/tracking/watched_tracking.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/database.hpp"

namespace passgate::daemon {

struct ControlSources {
  // The config in force (ConfigReloader::in_force: as started, with the live settings of the
  // last reload, e.g. payments.max_cart_minor): the gate's identity, file names and limits.
  const controller::GateConfig& config;
  db::Database& database;                       // passgated's own handle, used on the event loop
  const controller::WatchedTracking& tracking;  // the tracking engine's reachability
  const crypto::PaymentSealer& sealer;          // the sealing keys in force (which are still needed)
  // After an operator's retry or quarantined cart settled: plans what can be settled now and
  // wakes the payment drainer.
  std::function<void()> queue_changed;
  // After an operator's retry or drop of an outbox dead letter: wakes the outbox sender.
  std::function<void()> outbox_changed;
  // The latest backwards step of the wall clock this process noticed (the payment drainer's
  // watch), for status.
  const controller::WallClockWatch& clock_watch;
  // The session-ending writes waiting for the database (AdmissionService::writes_waiting), for
  // status; told of a session an operator cancelled (ended_by_operator); which admissions are
  // still being told to their lanes (answer_pending), for that cancel.
  controller::AdmissionService& admission;
  // The passages the database refused to store (TrackingReports::passage_unstored), for an
  // operator's cancel.
  const controller::TrackingReports& reports;
  // How long before a card hold's capture_before it counts as near lapse (the card planner's
  // lapse_warning), for status.
  std::function<std::chrono::seconds()> card_lapse_warning = [] { return controller::CardPlannerSettings{}.lapse_warning; };
  // The store-wide coordination ([store]); null without it.
  controller::StoreLink* store = nullptr;
};

}  // namespace passgate::daemon
