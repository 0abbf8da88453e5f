// FakeTracking: a TrackingPort whose replies the test gives by hand (or automatically),
// delivered later on the virtual loop like the real client's.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "common/virtual_time.hpp"
#include "controller/tracking_port.hpp"

namespace passgate::test {

class FakeTracking final : public controller::TrackingPort {
 public:
  struct Call {
    std::string target;
    std::string body;
    Callback done;
  };
  explicit FakeTracking(VirtualTime& vt) : vt_(vt) {}

  void post_json(const std::string& target, const std::string& body, std::chrono::milliseconds,
                 Callback done) override {
    sent.push_back({target, body});
    calls.push_back(Call{target, body, std::move(done)});
    if (auto_status) reply(*auto_status);
  }
  void get(const std::string& target, std::chrono::milliseconds, Callback done) override {
    calls.push_back(Call{target, {}, std::move(done)});
  }

  // Answers the oldest open call; status 0 = unreachable.
  void reply(int status, std::string body = {}) {
    Call c = std::move(calls.front());
    calls.pop_front();
    answer(std::move(c), status, std::move(body));
  }
  // Answers the newest open call.
  void reply_newest(int status, std::string body = {}) {
    Call c = std::move(calls.back());
    calls.pop_back();
    answer(std::move(c), status, std::move(body));
  }

  std::deque<Call> calls;                                 // not yet answered
  std::vector<std::pair<std::string, std::string>> sent;  // every request, in order
  std::optional<int> auto_status;                         // answer every call with this

 private:
  void answer(Call c, int status, std::string body) {
    controller::HttpReply r{status, std::move(body), status == 0 ? "connection refused" : ""};
    vt_.post([done = std::move(c.done), r] { done(r); });
  }

  VirtualTime& vt_;
};

}  // namespace passgate::test
