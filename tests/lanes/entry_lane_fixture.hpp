// One entry lane (lane 1, every default) on a FakeIoBackend in virtual time, with an admission
// the test answers by hand and a recorder of its reports: what the entry lane tests drive.
#pragma once

#include "controller/lanes/entry_lane.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

namespace passgate::test {

struct EntryLaneFixture {
  VirtualTime vt;
  hw::FakeIoBackend io{vt};
  ScriptedAdmission admission{vt};
  RecordedReports reports;
  controller::LaneConfig config = lane_config(1, controller::LaneKind::entry);
  controller::EntryLane lane{config, {io, vt, vt, admission, reports}};

  bool release_in() const { return io.output("lane1.release_in"); }
  bool release_out() const { return io.output("lane1.release_out"); }
  bool green() const { return io.output("lane1.led_green"); }
  bool red() const { return io.output("lane1.led_red"); }
};

}  // namespace passgate::test
