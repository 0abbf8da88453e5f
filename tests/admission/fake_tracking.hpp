// FakeTracking: a TrackingPort whose replies the test gives by hand (or automatically, or
// as a slow engine bounded by each request's time-out), delivered later on the virtual loop
// like the real client's. Records every request and the time-out it was given.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "ports/tracking_port.hpp"

namespace passgate::test {

class FakeTracking final : public passgate::TrackingPort {
 public:
  struct Call {
    std::string target;
    std::string body;
    Callback done;
    std::chrono::milliseconds timeout{};
  };
  // An engine that answers every request `status` after `after`, as the real client sees it:
  // a request whose time-out is shorter gets no answer (status 0) when its time-out is up.
  struct Slow {
    std::chrono::milliseconds after;
    int status = 201;
  };
  explicit FakeTracking(VirtualTime& vt) : vt_(vt) {}

  void post_json(const std::string& target, const std::string& body, std::chrono::milliseconds timeout,
                 Callback done) override {
    sent.push_back({target, body});
    timeouts.push_back(timeout);
    if (slow) return answer_slowly(std::move(done), timeout);
    calls.push_back(Call{target, body, std::move(done), timeout});
    if (auto_status) reply(*auto_status);
  }
  void get(const std::string& target, std::chrono::milliseconds timeout, Callback done) override {
    timeouts.push_back(timeout);
    if (slow) return answer_slowly(std::move(done), timeout);
    calls.push_back(Call{target, {}, std::move(done), timeout});
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
  std::vector<std::chrono::milliseconds> timeouts;        // every request's (post and get), in order
  std::optional<Slow> slow;                               // answer every call so, by itself

 private:
  void answer(Call c, int status, std::string body) {
    passgate::HttpReply r{status, std::move(body), status == 0 ? "connection refused" : ""};
    vt_.post([done = std::move(c.done), r] { done(r); });
  }

  void answer_slowly(Callback done, std::chrono::milliseconds timeout) {
    const bool in_time = slow->after <= timeout;
    const passgate::HttpReply r{in_time ? slow->status : 0, {}, in_time ? "" : "timed out"};
    slow_answers_.push_back(vt_.start(in_time ? slow->after : timeout, [done = std::move(done), r] { done(r); }));
  }

  VirtualTime& vt_;
  std::vector<std::unique_ptr<Timer>> slow_answers_;
};

}  // namespace passgate::test
