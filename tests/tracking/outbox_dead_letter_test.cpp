// A message the tracking engine will never accept does not block the outbox: it waits its
// own backoff while other sessions' messages go on, becomes a dead letter after
// kMaxRejections answers outside the contract (if the engine accepted others meanwhile),
// holds back only its own session's later messages, and goes again or away only by an
// operator's word. A session's own messages keep their order through outages and restarts.
#include <catch2/catch.hpp>

#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using passgate::db::OutboxMessage;
using passgate::test::AdmissionFixture;

namespace {

constexpr auto kLongestOutboxWait = 45s;  // the backoff cap plus its largest jitter

OutboxMessage session_report(const std::string& session, const std::string& body) {
  return {.kind = "passage", .target = "/v1/passages", .body = body, .session_id = session};
}

void queue_message(AdmissionFixture& f, const OutboxMessage& m) { REQUIRE(f.outbox->enqueue(m, 0).ok()); }

// Answers every call the sender makes within `span` of virtual time: `status_of(body)`.
// Returns the bodies sent, in order.
std::vector<std::string> answer_outbox_for(AdmissionFixture& f, std::chrono::milliseconds span,
                                    const std::function<int(const std::string&)>& status_of) {
  std::vector<std::string> sent;
  const auto end = f.vt.steady_now() + span;
  while (f.vt.steady_now() < end) {
    f.vt.run_ready();
    while (!f.tracking.calls.empty()) {
      const std::string body = f.tracking.calls.front().body;
      sent.push_back(body);
      f.tracking.reply(status_of(body), R"({"error":"invalid"})");
      f.vt.run_ready();
    }
    f.vt.advance(100ms);
  }
  return sent;
}

long count_sent(const std::vector<std::string>& sent, const std::string& body) {
  return std::count(sent.begin(), sent.end(), body);
}

}  // namespace

TEST_CASE("a message the engine rejects does not hold back other sessions' messages, and becomes a dead letter") {
  AdmissionFixture f;
  queue_message(f, session_report("a", "a-1"));  // the engine will never take this one
  queue_message(f, session_report("a", "a-2"));  // a's next message: waits behind a-1
  queue_message(f, session_report("b", "b-1"));
  f.sender->kick();
  const auto rejected = [](const std::string& body) { return body == "a-1" ? 400 : 202; };
  auto sent = answer_outbox_for(f, 2s, rejected);
  // b-1 is delivered at once after the first rejection's short pause; a-2 never goes before a-1.
  REQUIRE(sent.size() >= 2);
  CHECK(sent[0] == "a-1");
  CHECK(sent[1] == "b-1");
  CHECK(count_sent(sent, "a-2") == 0);

  // More traffic of other sessions keeps flowing while a-1 is retried on its own backoff.
  for (int i = 0; i < 5; ++i) {
    queue_message(f, session_report("c" + std::to_string(i), "c-" + std::to_string(i)));
    f.sender->kick();
    auto more = answer_outbox_for(f, 1s, rejected);  // at once, whatever a-1 waits for
    CHECK(count_sent(more, "c-" + std::to_string(i)) == 1);
    sent.insert(sent.end(), more.begin(), more.end());
    more = answer_outbox_for(f, 29s, rejected);
    sent.insert(sent.end(), more.begin(), more.end());
  }
  for (int i = 0; i < 5; ++i) CHECK(count_sent(sent, "c-" + std::to_string(i)) == 1);
  CHECK(count_sent(sent, "a-1") == passgate::controller::OutboxSender::kMaxRejections);
  CHECK(count_sent(sent, "a-2") == 0);
  CHECK(f.sender->dead_lettered() == 1);
  auto dead = f.outbox->dead_letters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().message.body == "a-1");
  CHECK_THAT(dead->front().last_error, Catch::Contains("HTTP 400"));

  // Nothing is sent any more: the dead letter waits for an operator, a-2 waits behind it.
  CHECK(answer_outbox_for(f, 10min, rejected).empty());

  SECTION("an operator sends it again: it goes at once, then the session's next message") {
    REQUIRE(f.outbox->retry_dead_letter(dead->front().id, "alice", 0).ok());
    f.sender->kick();
    CHECK(answer_outbox_for(f, 1s, [](const std::string&) { return 202; }) == std::vector<std::string>{"a-1", "a-2"});
  }
  SECTION("an operator drops it: the session's next message goes on") {
    REQUIRE(f.outbox->drop_dead_letter(dead->front().id, "reported by hand", "alice", 0).ok());
    f.sender->kick();
    CHECK(answer_outbox_for(f, 1s, [](const std::string&) { return 202; }) == std::vector<std::string>{"a-2"});
  }
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("an engine that rejects everything makes no dead letter, and slows down to the backoff cap") {
  AdmissionFixture f;
  for (int i = 0; i < 20; ++i) queue_message(f, session_report("s" + std::to_string(i), "m-" + std::to_string(i)));
  f.sender->kick();
  const auto sent = answer_outbox_for(f, 30min, [](const std::string&) { return 404; });
  CHECK(f.sender->dead_lettered() == 0);
  auto dead = f.outbox->dead_letters(100);
  REQUIRE(dead.ok());
  CHECK(dead->empty());
  CHECK(f.outbox_size() == 20);
  // Paced by the failures in a row: at the cap, about one attempt per 30 to 45 s.
  CHECK(sent.size() <= 30min / 30s + 20);
  CHECK(sent.size() >= 30min / kLongestOutboxWait);
  // Round the queue, not stuck on its first message.
  for (int i = 0; i < 20; ++i) CHECK(count_sent(sent, "m-" + std::to_string(i)) >= 1);
}

TEST_CASE("an unreachable engine makes no dead letter, and a session's messages keep their order through restarts") {
  AdmissionFixture f;
  queue_message(f, session_report("a", "a-open"));
  queue_message(f, session_report("b", "b-open"));
  queue_message(f, session_report("a", "a-passage"));
  queue_message(f, session_report("", "nobody"));
  queue_message(f, session_report("a", "a-cancel"));
  f.sender->kick();
  // An hour without the engine, with a restart in the middle.
  auto sent = answer_outbox_for(f, 30min, [](const std::string&) { return 0; });
  f.restart();
  f.sender->kick();
  const auto more = answer_outbox_for(f, 30min, [](const std::string& body) { return body == "b-open" ? 503 : 0; });
  sent.insert(sent.end(), more.begin(), more.end());
  CHECK(f.sender->dead_lettered() == 0);
  CHECK(f.outbox_size() == 5);
  CHECK(count_sent(sent, "a-passage") == 0);  // never before a-open is delivered
  CHECK(count_sent(sent, "a-cancel") == 0);

  // Back: everything is delivered, each session's messages in their order.
  f.restart();
  f.sender->kick();
  const auto delivered = answer_outbox_for(f, kLongestOutboxWait + 5s, [](const std::string&) { return 202; });
  REQUIRE(delivered.size() == 5);
  const auto at = [&](const std::string& body) {
    return std::find(delivered.begin(), delivered.end(), body) - delivered.begin();
  };
  CHECK(at("a-open") < at("a-passage"));
  CHECK(at("a-passage") < at("a-cancel"));
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("after a restart, a message the engine rejected before does not hold back the others") {
  AdmissionFixture f;
  queue_message(f, session_report("a", "a-1"));
  f.sender->kick();
  // Rejected 4 times: its own next attempt is stored 4 to 6 s ahead.
  const auto before = answer_outbox_for(f, 7s, [](const std::string&) { return 400; });
  REQUIRE(before.size() == 4);
  queue_message(f, session_report("b", "b-1"));
  f.restart();
  f.sender->kick();
  // That wait was a-1's own, not the engine's: b-1 goes within the short pause after a-1.
  const auto sent = answer_outbox_for(f, 1s, [](const std::string& body) { return body == "a-1" ? 400 : 202; });
  CHECK(std::find(sent.begin(), sent.end(), "b-1") != sent.end());
}

TEST_CASE("a 409 to a passage is a rejection that ends as a dead letter, never dropped, a 409 to a cancel is done") {
  AdmissionFixture f;
  queue_message(f, session_report("a", "a-passage"));
  queue_message(f, {.kind = "cancel", .target = "/v1/sessions/b/cancel", .body = "b-cancel", .session_id = "b"});
  f.sender->kick();
  // The engine answers 409 to both; then it takes other sessions' reports, one every 10 s.
  const auto conflict = [](const std::string& body) { return body == "a-passage" || body == "b-cancel" ? 409 : 202; };
  auto sent = answer_outbox_for(f, 2s, conflict);
  CHECK(count_sent(sent, "b-cancel") == 1);  // done at its first answer: the session is final
  for (int i = 0; i < 20 && f.sender->dead_lettered() == 0; ++i) {
    queue_message(f, session_report("c" + std::to_string(i), "c-" + std::to_string(i)));
    f.sender->kick();
    auto more = answer_outbox_for(f, 10s, conflict);
    sent.insert(sent.end(), more.begin(), more.end());
  }
  CHECK(count_sent(sent, "b-cancel") == 1);
  CHECK(count_sent(sent, "a-passage") == passgate::controller::OutboxSender::kMaxRejections);
  auto dead = f.outbox->dead_letters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().message.body == "a-passage");
  CHECK_THAT(dead->front().last_error, Catch::Matchers::Contains("HTTP 409"));
}
