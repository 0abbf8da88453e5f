#include "tools/sim/rig/report.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace passgate::sim {
namespace {

constexpr std::array<std::pair<PassageKind, const char*>, 5> kPassageKeys{{
    {PassageKind::entered, "entered"},
    {PassageKind::tailgate, "tailgates"},
    {PassageKind::wrong_way, "wrong_way"},
    {PassageKind::exit, "exits"},
    {PassageKind::backout, "backouts"},
}};

constexpr std::array<std::pair<PassageKind, const char*>, 5> kPassageWords{{
    {PassageKind::entered, "entered with a grant"},
    {PassageKind::tailgate, "tailgate"},
    {PassageKind::wrong_way, "wrong-way"},
    {PassageKind::exit, "exits"},
    {PassageKind::backout, "back-outs"},
}};

int count_of(const std::map<PassageKind, int>& counts, PassageKind kind) {
  const auto it = counts.find(kind);
  return it == counts.end() ? 0 : it->second;
}

std::string passages_text(const std::map<PassageKind, int>& counts) {
  std::string text;
  for (const auto& [kind, word] : kPassageWords) {
    text += (text.empty() ? "" : ", ") + std::string(word) + " " + std::to_string(count_of(counts, kind));
  }
  return text;
}

nlohmann::json passages_json(const std::map<PassageKind, int>& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [kind, key] : kPassageKeys) j[key] = count_of(counts, kind);
  return j;
}

}  // namespace

RigReport::RigReport(const Clock& clock, std::ostream& out) : clock_(clock), out_(out), start_(clock.steady_now()) {}

long long RigReport::elapsed_ms() const {
  return std::chrono::duration_cast<Millis>(clock_.steady_now() - start_).count();
}

void RigReport::print(const std::string& who, const std::string& text) {
  const long long ms = elapsed_ms();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%4lld.%03lld] ", ms / 1000, ms % 1000);
  out_ << stamp << who << ": " << text << std::endl;
}

RigReport::StepRecord& RigReport::step(int number) { return steps_.at(number); }

void RigReport::add_step(int number, std::string label, std::string kind, int lane, std::string title) {
  char num[16];
  std::snprintf(num, sizeof num, "#%02d", number);
  StepRecord record;
  record.prefix = (lane > 0 ? "lane" + std::to_string(lane) : std::string("gate ")) + " " + num + " " + title;
  if (!label.empty()) record.prefix += " [" + label + "]";
  record.label = std::move(label);
  record.kind = std::move(kind);
  record.lane = lane;
  record.title = std::move(title);
  steps_[number] = std::move(record);
}

void RigReport::step_started(int number) { step(number).started_ms = elapsed_ms(); }
void RigReport::step_finished(int number) { step(number).finished_ms = elapsed_ms(); }

void RigReport::step_event(int number, const std::string& text) {
  StepRecord& record = step(number);
  record.events.push_back(text);
  print(record.prefix, text);
}

std::string RigReport::expect(int number, const std::string& expected, const std::string& actual, bool met) {
  step(number).expectations.push_back({{"expected", expected}, {"actual", actual}, {"met", met}});
  (met ? met_ : failed_) += 1;
  return met ? " ✓" : " ✗ expected " + expected;
}

void RigReport::note(const std::string& text) { print("rig", text); }

void RigReport::gate_error(const std::string& msg) {
  gate_errors_.push_back(msg);
  print("gate", "error: " + msg);
}

void RigReport::protocol_problem(const std::string& what) {
  problems_.push_back(what);
  print("rig", "could not understand the gate: " + what);
}

void RigReport::connection_lost(const std::string& why) {
  lost_ = why;
  print("rig", "connection lost: " + why);
}

void RigReport::count_scan(int lane, const ScanOutcome& outcome) {
  LaneCounts& counts = lanes_[lane];
  ++counts.scans;
  switch (outcome.kind) {
    case ScanOutcome::Kind::admitted:
      ++counts.admitted_scans;
      counts.admitted_people += outcome.people;
      break;
    case ScanOutcome::Kind::denied:
      ++counts.denied_scans;
      ++denials_[outcome.reason];
      break;
    case ScanOutcome::Kind::unanswered:
      ++counts.unanswered_scans;
      break;
  }
}

void RigReport::count_passage(int lane, PassageKind kind) { ++lanes_[lane].passages[kind]; }

void RigReport::print_summary(bool completed) {
  out_ << "\n── summary ──\n";
  std::map<PassageKind, int> totals;
  for (const auto& [lane, c] : lanes_) {
    out_ << "lane" << lane << ": " << c.scans << " scans, " << c.admitted_scans << " admitted ("
         << c.admitted_people << " people), " << c.denied_scans << " denied, " << c.unanswered_scans
         << " unanswered; passages: " << passages_text(c.passages) << "\n";
    for (const auto& [kind, n] : c.passages) totals[kind] += n;
  }
  std::string denials;
  for (const auto& [reason, n] : denials_) denials += (denials.empty() ? "" : ", ") + reason + " " + std::to_string(n);
  out_ << "denials: " << (denials.empty() ? "none" : denials) << "\n";
  out_ << "passages: " << passages_text(totals) << "\n";
  out_ << "expectations: " << met_ << " met, " << failed_ << " failed\n";
  out_ << "connection: " << (lost_.empty() ? "stayed up" : "lost (" + lost_ + ")") << ", "
       << gate_errors_.size() << " gate errors, " << problems_.size() << " unreadable messages\n";
  out_ << "result: " << (passed(completed) ? "PASS" : completed ? "FAIL" : "FAIL (scenario did not complete)") << std::endl;
}

nlohmann::json RigReport::summary_json(bool completed, const nlohmann::json& run) const {
  using nlohmann::json;
  json lanes = json::object();
  std::map<PassageKind, int> totals;
  for (const auto& [lane, c] : lanes_) {
    json l = {{"scans", c.scans},
              {"admitted_scans", c.admitted_scans},
              {"admitted_people", c.admitted_people},
              {"denied_scans", c.denied_scans},
              {"unanswered_scans", c.unanswered_scans}};
    l.update(passages_json(c.passages));
    lanes[std::to_string(lane)] = l;
    for (const auto& [kind, n] : c.passages) totals[kind] += n;
  }
  json steps = json::array();
  for (const auto& [number, s] : steps_) {
    steps.push_back({{"number", number},
                     {"label", s.label},
                     {"kind", s.kind},
                     {"lane", s.lane},
                     {"title", s.title},
                     {"started_ms", s.started_ms},
                     {"finished_ms", s.finished_ms},
                     {"events", s.events},
                     {"expectations", s.expectations}});
  }
  json summary = run;
  summary.update({{"lanes", lanes},
                  {"denials", denials_},
                  {"passages", passages_json(totals)},
                  {"expectations", {{"met", met_}, {"failed", failed_}}},
                  {"connection",
                   {{"stayed_up", lost_.empty()}, {"lost", lost_}, {"gate_errors", gate_errors_},
                    {"protocol_problems", problems_}}},
                  {"completed", completed},
                  {"passed", passed(completed)},
                  {"duration_ms", elapsed_ms()},
                  {"steps", steps}});
  return summary;
}

}  // namespace passgate::sim
