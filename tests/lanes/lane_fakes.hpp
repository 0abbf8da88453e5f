// Test doubles for the lanes' ports: an admission pipeline the test answers by hand and
// a recorder of the reports the lanes send to the tracking engine; a lane config maker.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/ports.hpp"

namespace passgate::test {

// A lane's config with every default but its number and kind.
inline controller::LaneConfig lane_config(int number, controller::LaneKind kind) {
  controller::LaneConfig config;
  config.number = number;
  config.kind = kind;
  return config;
}

class ScriptedAdmission final : public controller::AdmissionPort {
 public:
  struct Request {
    int lane = 0;
    int group_limit = 0;
    std::string token;
    Done done;
  };
  explicit ScriptedAdmission(VirtualTime& vt) : vt_(vt) {}

  void request(int lane, int group_limit, std::string token, Done done) override {
    requests.push_back(Request{lane, group_limit, std::move(token), std::move(done)});
  }
  // A card session to open: a request for one person whose token is kCardSession + its id.
  void open_card_session(int lane, std::string session_id, Done done) override {
    requests.push_back(Request{lane, 1, kCardSession + session_id, std::move(done)});
  }
  static inline const std::string kCardSession = "card-session:";
  // Answers the oldest open request with an admission of `people` (capped by the lane).
  void admit(const std::string& session, int people) {
    auto r = take();
    controller::AdmissionResult res{true, DenialReason::lane_unavailable, session, std::min(people, r.group_limit), false};
    vt_.post([d = std::move(r.done), res] { d(res); });
    vt_.run_ready();
  }
  void deny(DenialReason reason) {
    auto r = take();
    controller::AdmissionResult res{false, reason, {}, 0, false};
    vt_.post([d = std::move(r.done), res] { d(res); });
    vt_.run_ready();
  }
  [[nodiscard]] std::size_t open() const { return requests.size(); }

  std::vector<Request> requests;

 private:
  Request take() {
    Request r = std::move(requests.front());
    requests.erase(requests.begin());
    return r;
  }
  VirtualTime& vt_;
};

class RecordedReports final : public controller::LaneReports {
 public:
  struct Passage {
    int lane = 0;
    controller::Direction direction;
    controller::PassageKind kind;
    std::optional<std::string> session;
  };
  void passage(int lane, controller::Direction direction, controller::PassageKind kind,
               const std::optional<std::string>& session_id) override {
    passages.push_back(Passage{lane, direction, kind, session_id});
  }
  void grant_unused(const std::string& session_id) override {
    cancelled.push_back(session_id);
    if (on_grant_unused) on_grant_unused();
  }

  void scan_answered(int /*lane*/, const controller::AdmissionResult& answer) override { answers.push_back(answer); }

  std::vector<Passage> passages;
  std::function<void()> on_grant_unused;  // e.g. to look at the outputs when it is written
  std::vector<std::string> cancelled;
  std::vector<controller::AdmissionResult> answers;  // every scan's answer as the lane gave it
};

}  // namespace passgate::test
