#include "tests/scenario/rig_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "hw/line_names.hpp"

namespace passgate::scenario {

using hw::LineRole;

namespace {

// Every input the rig drives: both beams of every lane, then the fire alarm.
std::vector<std::string> driven_inputs() {
  std::vector<std::string> inputs;
  for (const int lane : kAllLanes) {
    inputs.push_back(hw::line_name(lane, LineRole::beam_outer));
    inputs.push_back(hw::line_name(lane, LineRole::beam_inner));
  }
  inputs.emplace_back("fire_alarm");
  return inputs;
}

}  // namespace

std::vector<std::string> release_lines() {
  std::vector<std::string> lines;
  for (const int lane : kAllLanes) {
    lines.push_back(hw::line_name(lane, LineRole::release_in));
    lines.push_back(hw::line_name(lane, LineRole::release_out));
  }
  return lines;
}

RigClient::RigClient(GateHarness& gate)
    : gate_(gate),
      conditions_(gate.time()),
      view_(conditions_),
      connection_(gate.io(), view_,
                  sim::RigConnection::Events{
                      [this](const std::string& msg) { gate_errors_.push_back(msg); },
                      [this](const std::string& what) { gate_errors_.push_back("unreadable line: " + what); },
                      [this](const std::string& why) { lost_ = why; }}) {}

RigClient::~RigClient() {
  if (connection_.connected()) (void)close_link();
}

void RigClient::connect() {
  const auto connected = connection_.connect(gate_.rig_socket());
  INFO((connected.ok() ? std::string() : connected.error().message));
  REQUIRE(connected.ok());
  const auto lines = release_lines();
  REQUIRE(gate_.run_until([&] {
    for (const auto& l : lines) {
      if (!view_.output(l)) return false;
    }
    return true;
  }));
}

void RigClient::clear_inputs() {
  for (const auto& input : driven_inputs()) set(input, false);
  REQUIRE(wait_all_releases(false));
  INFO("gate errors: " << gate_errors_.size());
  REQUIRE(gate_errors_.empty());
  // Every output: a buzzer may have sounded before (the scanners' loss while no rig was connected).
  for (const int lane : kAllLanes) {
    for (const LineRole role : hw::kLineRoles) {
      if (!hw::is_input(role)) rises_at_ready_[hw::line_name(lane, role)] = view_.rises(hw::line_name(lane, role));
    }
  }
}

void RigClient::connect_ready() {
  connect();
  clear_inputs();
}

void RigClient::close() { REQUIRE(close_link()); }

bool RigClient::close_link() {
  bool closed = false;
  connection_.close([&closed] { closed = true; });
  const bool done = gate_.run_until([&closed] { return closed; });
  // Lets the aborted read complete while this connection still exists.
  gate_.io().restart();
  gate_.io().poll();
  return done;
}

void RigClient::set(const std::string& input, bool active) { connection_.set_input(input, active); }

void RigClient::scan(int lane, const std::string& token) { connection_.scan(hw::entry_scanner_name(lane), token); }

void RigClient::hold(const std::string& input, bool active) {
  set(input, active);
  gate_.run_for(kBeamHold);
}

void RigClient::walk_in(int lane) {
  const auto outer = hw::line_name(lane, LineRole::beam_outer);
  const auto inner = hw::line_name(lane, LineRole::beam_inner);
  hold(outer, true);
  hold(inner, true);
  hold(outer, false);
  hold(inner, false);
}

void RigClient::walk_out(int lane) {
  const auto outer = hw::line_name(lane, LineRole::beam_outer);
  const auto inner = hw::line_name(lane, LineRole::beam_inner);
  hold(inner, true);
  hold(outer, true);
  hold(inner, false);
  hold(outer, false);
}

bool RigClient::wait_level(const std::string& output, bool active, std::chrono::milliseconds limit) {
  return gate_.run_until([&] { return view_.output(output) == active; }, limit);
}

bool RigClient::wait_all_releases(bool active, std::chrono::milliseconds limit) {
  const auto lines = release_lines();
  return gate_.run_until(
      [&] {
        for (const auto& l : lines) {
          if (view_.output(l) != active) return false;
        }
        return true;
      },
      limit);
}

bool RigClient::wait_display(int lane, const std::string& text, std::chrono::milliseconds limit) {
  return gate_.run_until(
      [&] {
        const auto& shown = view_.displays(lane);
        return std::find(shown.begin(), shown.end(), text) != shown.end();
      },
      limit);
}

int RigClient::rises_since_ready(const std::string& output) const {
  const auto it = rises_at_ready_.find(output);
  return view_.rises(output) - (it == rises_at_ready_.end() ? 0 : it->second);
}

}  // namespace passgate::scenario
