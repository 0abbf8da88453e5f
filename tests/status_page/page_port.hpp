// The port a real passgated's status page listens on, read from its event=status_page_ready
// line (http without a login, or https with one), for the status page's tests.
#pragma once

#include <cstdint>
#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "tests/scenario/gate_harness.hpp"

namespace passgate::test {

[[nodiscard]] inline std::uint16_t page_port(scenario::GateHarness& gate, bool tls = false) {
  const std::regex ready(tls ? "event=status_page_ready url=https://127\\.0\\.0\\.1:([0-9]+)/ login=required"
                             : "event=status_page_ready url=http://127\\.0\\.0\\.1:([0-9]+)/ login=none");
  std::smatch match;
  const std::string log = gate.gated().output();
  REQUIRE(std::regex_search(log, match, ready));
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

}  // namespace passgate::test
