// A passage the database refused to store (full disk, event=passage_store_failed) is
// remembered for the run (TrackingReports::passage_unstored): the session's passage count in
// the database missed it, and an operator's cancel of that session is refused (entered).
#include <catch2/catch.hpp>

#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/tracking/reports.hpp"
#include "tests/admission/admission_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using passgate::test::AdmissionFixture;
using passgate::test::kStore;

TEST_CASE("a passage the database refused to store marks its session as entered on, for an operator's cancel") {
  AdmissionFixture f;
  controller::TrackingReports reports(controller::GateIdentity{kStore, "gate-a"}, *f.outbox, *f.sessions, f.vt,
                                      *f.sender);
  f.database->sql().exec("CREATE TRIGGER disk_full BEFORE INSERT ON outbox WHEN NEW.kind = 'passage'"
                         " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  passgate::test::CapturedLog log;
  reports.passage(1, controller::Direction::in, controller::PassageKind::admitted, std::string("s-walked-in"));
  CHECK(log.count("event=passage_store_failed lane=1") == 1);
  CHECK(log.count("session=s-walked-in") == 2);  // the passage, and its failed store
  CHECK(reports.passage_unstored("s-walked-in"));
  CHECK_FALSE(reports.passage_unstored("s-other"));
}
