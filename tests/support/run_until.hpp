// run_until and await_reply: for tests of asynchronous code on a real io_context (loopback
// sockets). They run handlers until a condition holds, and give up after `limit` so a broken
// test fails instead of hanging. Nothing sleeps: they only run the loop. The limit is a
// safety net, not a timing claim: keep it far above what the test needs.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>

namespace passgate::test {

[[nodiscard]] inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                                    std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= give_up) return false;
    io.restart();
    if (io.run_one_for(give_up - now) == 0 && io.stopped()) return done();  // out of work
  }
  return true;
}

// Calls `start(callback)` and runs `io` until the callback ran; its argument, or nothing if
// it did not run within `limit`. Use: await_reply<HttpReply>(io, [&](auto done) { ... }).
template <class Reply>
[[nodiscard]] std::optional<Reply> await_reply(boost::asio::io_context& io,
                                               const std::function<void(std::function<void(Reply)>)>& start,
                                               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  std::optional<Reply> reply;
  start([&reply](Reply r) { reply = std::move(r); });
  if (!run_until(io, [&reply] { return reply.has_value(); }, limit)) return std::nullopt;
  return reply;
}

}  // namespace passgate::test
