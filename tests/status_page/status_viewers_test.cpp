// StatusViewers: the cap on the status page's event streams counts a viewer from its answer
// (reserve) until its stream closes: a batch of requests answered before any stream opens
// gets no more than the cap between them; a slot comes back when its connection closes before
// the stream opens, or when the stream closes. The streams of users removed by a reload close,
// and so does one whose head was still being written then (its slot revoked).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "passgated/status_viewers.hpp"

namespace passgate::daemon {
namespace {

class FakeStream final : public drivers::EventStream {
 public:
  bool send(std::string bytes) override {
    if (!open_) return false;
    sent.push_back(std::move(bytes));
    return true;
  }
  [[nodiscard]] bool open() const override { return open_; }
  void close() override { open_ = false; }
  std::vector<std::string> sent;

 private:
  bool open_ = true;
};

TEST_CASE("requests answered in one batch, before any stream opens, get no more slots than the cap") {
  StatusViewers viewers(8);
  std::vector<std::shared_ptr<StatusViewers::Slot>> answered;
  for (int i = 0; i < 24; ++i) {
    if (auto slot = viewers.reserve("tech")) answered.push_back(std::move(slot));
  }
  CHECK(answered.size() == 8);
  CHECK(viewers.open() == 0);
  CHECK(viewers.taken() == 8);
}

TEST_CASE("a slot is held until its stream is added, and given back when the stream closes") {
  StatusViewers viewers(2);
  auto first = viewers.reserve("tech");
  auto second = viewers.reserve("tech");
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(viewers.reserve("tech"));
  // The first stream opens: it is counted once, as a stream.
  auto stream = std::make_shared<FakeStream>();
  CHECK(viewers.add(stream, *first));
  first.reset();
  CHECK(viewers.taken() == 2);
  CHECK_FALSE(viewers.reserve("tech"));
  // The second's connection closed before its stream opened: its slot comes back.
  second.reset();
  auto third = viewers.reserve("tech");
  CHECK(third);
  viewers.send("data: x\n\n");
  CHECK(stream->sent == std::vector<std::string>{"data: x\n\n"});
  // The stream closes: pruned, and its slot free.
  stream->close();
  CHECK(viewers.prune() == 0);
  CHECK(viewers.reserve("tech"));
}

TEST_CASE("closing a user's streams closes theirs only, and frees their slots") {
  StatusViewers viewers(3);
  std::vector<std::shared_ptr<FakeStream>> streams;
  for (const char* user : {"ana", "tech", "ana"}) {
    auto slot = viewers.reserve(user);
    REQUIRE(slot);
    streams.push_back(std::make_shared<FakeStream>());
    CHECK(viewers.add(streams.back(), *slot));
  }
  CHECK_FALSE(viewers.reserve("tech"));
  CHECK(viewers.close_users({"ana", "bob"}) == 2);
  CHECK_FALSE(streams[0]->open());
  CHECK(streams[1]->open());
  CHECK_FALSE(streams[2]->open());
  CHECK(viewers.open() == 1);
  CHECK(viewers.reserve("tech"));
}

TEST_CASE("a stream of a user removed while its head was being written is closed when it opens") {
  StatusViewers viewers(2);
  auto bob = viewers.reserve("bob");  // answered: the head is still being written
  auto ana = viewers.reserve("ana");
  REQUIRE(bob);
  REQUIRE(ana);
  CHECK(viewers.close_users({"bob"}) == 0);  // the reload: no stream of bob's open yet
  auto bob_stream = std::make_shared<FakeStream>();
  CHECK_FALSE(viewers.add(bob_stream, *bob));
  CHECK_FALSE(bob_stream->open());
  auto ana_stream = std::make_shared<FakeStream>();
  CHECK(viewers.add(ana_stream, *ana));
  bob.reset();
  ana.reset();
  CHECK(viewers.open() == 1);
  viewers.send("data: x\n\n");
  CHECK(bob_stream->sent.empty());
  CHECK(ana_stream->sent == std::vector<std::string>{"data: x\n\n"});
}

}  // namespace
}  // namespace passgate::daemon
