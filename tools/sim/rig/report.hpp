// RigReport: the record of one rig run. Prints one line per event, stamped with the seconds
// since the run started ("[  12.345] lane1 #07 shopper grp=2 (valid): admitted 2, 2 entered ✓"),
// counts scans, admissions, denials by reason and the passages the rig made, keeps every
// expectation (met or not) per step, and renders the summary as text and as JSON (format:
// tools/sim/scenarios/README.md). Single-threaded.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "tools/sim/rig/scanner.hpp"

namespace passgate::sim {

// Passages the rig made, by what they were meant to be.
enum class PassageKind { entered, tailgate, wrong_way, exit, backout };

class RigReport {
 public:
  RigReport(const Clock& clock, std::ostream& out);

  // Declares a step before it starts: how its lines begin ("lane1 #07 shopper grp=2 (valid)").
  void add_step(int number, std::string label, std::string kind, int lane, std::string title);
  void step_started(int number);
  void step_finished(int number);

  // A line for a step.
  void step_event(int number, const std::string& text);
  // Records an expectation of a step; returns the mark for its event line: " ✓" or
  // " ✗ expected <expected>".
  [[nodiscard]] std::string expect(int number, const std::string& expected, const std::string& actual, bool met);
  // A line about the run itself (connection, gate errors).
  void note(const std::string& text);
  void gate_error(const std::string& msg);
  void protocol_problem(const std::string& what);
  void connection_lost(const std::string& why);

  void count_scan(int lane, const ScanOutcome& outcome);
  void count_passage(int lane, PassageKind kind);

  [[nodiscard]] int expectations_met() const { return met_; }
  [[nodiscard]] int expectations_failed() const { return failed_; }
  // The run passed: it `completed`, every expectation was met, the connection stayed up.
  [[nodiscard]] bool passed(bool completed) const { return completed && failed_ == 0 && lost_.empty(); }

  // Prints the summary; `completed`: every step ran to its end.
  void print_summary(bool completed);
  // The summary as JSON, with `run` (scenario, socket, seed, time scale) merged in.
  [[nodiscard]] nlohmann::json summary_json(bool completed, const nlohmann::json& run) const;

 private:
  struct LaneCounts {
    int scans = 0, admitted_scans = 0, admitted_people = 0, denied_scans = 0, unanswered_scans = 0;
    std::map<PassageKind, int> passages;
  };
  struct StepRecord {
    std::string label, kind, title;
    int lane = 0;
    std::string prefix;
    std::vector<std::string> events;
    nlohmann::json expectations = nlohmann::json::array();
    long long started_ms = -1, finished_ms = -1;
  };

  [[nodiscard]] long long elapsed_ms() const;
  void print(const std::string& who, const std::string& text);
  StepRecord& step(int number);

  const Clock& clock_;
  std::ostream& out_;
  SteadyTime start_;
  std::map<int, LaneCounts> lanes_;
  std::map<std::string, int> denials_;
  std::map<int, StepRecord> steps_;
  std::vector<std::string> gate_errors_, problems_;
  std::string lost_;
  int met_ = 0, failed_ = 0;
};

}  // namespace passgate::sim
