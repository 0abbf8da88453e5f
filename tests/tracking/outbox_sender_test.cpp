// The outbox drains in order, resends the same bytes after failures with growing,
// capped, jittered delays, and forgets a message only once the engine acknowledged it.
#include <catch2/catch.hpp>

#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using passgate::db::OutboxMessage;
using passgate::test::AdmissionFixture;

namespace {

void enqueue(AdmissionFixture& f, const std::string& body) {
  REQUIRE(f.outbox->enqueue(OutboxMessage{"passage", "/v1/passages", body, ""}, 0).ok());
}

}  // namespace

TEST_CASE("outbox messages are delivered in order, one at a time") {
  AdmissionFixture f;
  enqueue(f, "1");
  enqueue(f, "2");
  enqueue(f, "3");
  f.sender->kick();
  for (const char* body : {"1", "2", "3"}) {
    REQUIRE(f.tracking.calls.size() == 1);
    CHECK(f.tracking.calls.front().body == body);
    f.tracking.reply(202);
    f.vt.run_ready();
  }
  CHECK(f.outbox_size() == 0);
  CHECK(f.sender->delivered() == 3);
}

TEST_CASE("an unreachable engine gets the same message again after a backoff, and nothing overtakes it") {
  AdmissionFixture f;
  enqueue(f, "first");
  enqueue(f, "second");
  f.sender->kick();
  f.tracking.reply(0);
  f.vt.run_ready();
  CHECK(f.tracking.calls.empty());
  f.sender->kick();  // new work arriving during the backoff does not jump the queue
  CHECK(f.tracking.calls.empty());
  f.vt.advance(30s);
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().body == "first");
  f.tracking.reply(503);
  f.vt.advance(60s);
  f.deliver("first");
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().body == "second");
  auto front = f.outbox->front();
  REQUIRE(front.ok());
  CHECK(front.value()->message.body == "second");
}

TEST_CASE("backoff grows exponentially, is capped, and its jitter only adds (up to half)") {
  AdmissionFixture f;
  for (int i = 0; i < 50; ++i) {
    const auto d1 = f.sender->backoff(1);
    CHECK(d1 >= 500ms);
    CHECK(d1 <= 750ms);
    const auto d4 = f.sender->backoff(4);
    CHECK(d4 >= 4000ms);
    CHECK(d4 <= 6000ms);
    const auto d30 = f.sender->backoff(30);
    CHECK(d30 >= 30s);
    CHECK(d30 <= 45s);
  }
}

TEST_CASE("pending outbox messages survive a restart and are sent afterwards") {
  AdmissionFixture f;
  enqueue(f, "kept");
  f.sender->kick();
  f.tracking.reply(0);
  f.vt.run_ready();
  f.restart();
  f.vt.advance(1min);
  f.sender->kick();
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().body == "kept");
}

TEST_CASE("a queued session open the engine refuses names its session, then leaves the outbox, a 409 does not") {
  AdmissionFixture f;
  const int status = GENERATE(403, 409);
  std::vector<std::string> refused;
  f.sender->set_on_open_refused([&](std::int64_t message_id, const std::string& session_id) {
    refused.push_back(session_id);
    return f.outbox->remove(message_id);
  });
  REQUIRE(f.outbox
              ->enqueue(OutboxMessage{"session_open", "/v1/sessions",
                                      R"({"session_id":"ses_refused","store_id":"store-0042"})", "ses_refused"},
                        0)
              .ok());
  enqueue(f, "passage");
  f.sender->kick();
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(status);
  f.vt.run_ready();
  // A 409 means the engine already has the session (e.g. the entry's own request reached
  // it): the shopper is followed and billed as usual.
  CHECK(refused == (status == 403 ? std::vector<std::string>{"ses_refused"} : std::vector<std::string>{}));
  // The passage after it still goes out, and is not taken for a refusal.
  f.deliver("passage");
  CHECK(refused.size() == (status == 403 ? 1U : 0U));
  CHECK(f.outbox_size() == 0);
}
