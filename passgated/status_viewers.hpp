// StatusViewers: the status page's event streams and their cap. A viewer counts from the
// moment its request is answered, not only once its stream is open: between the two the
// answer's head is still being written, one loop turn or more, and a batch of requests would
// otherwise each see room and all become streams. reserve() gives a slot, held until its token
// is gone (the stream added, or its connection closed first). Each stream is the login's that
// opened it, so that a user removed from the users file stops seeing the page at once
// (close_users). Single-threaded, on the event loop.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "drivers/http_listener.hpp"

namespace passgate::daemon {

class StatusViewers {
 public:
  explicit StatusViewers(std::size_t max) : max_(max) {}

  // A slot for one more viewer, held while the token lives; null when the open streams and
  // the slots held fill the cap.
  [[nodiscard]] std::shared_ptr<void> reserve();
  // A stream that opened for `user` ("" without a login; its slot's token still held while
  // this is called).
  void add(std::shared_ptr<drivers::EventStream> stream, std::string user);
  // Closes the streams of these users; how many.
  std::size_t close_users(const std::vector<std::string>& users);
  // Forgets the streams that closed; how many are open.
  std::size_t prune();
  // Queues `event` on every open stream.
  void send(const std::string& event);
  [[nodiscard]] std::size_t open() const { return streams_.size(); }
  [[nodiscard]] std::size_t taken() const { return streams_.size() + *reserved_; }

 private:
  std::size_t max_;
  std::shared_ptr<std::size_t> reserved_ = std::make_shared<std::size_t>(0);  // outlives this if a token does
  struct Viewer {
    std::shared_ptr<drivers::EventStream> stream;
    std::string user;
  };
  std::vector<Viewer> streams_;
};

}  // namespace passgate::daemon
